package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.FieldSpec;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reports, exports and erasure reach every catalog field through exactly one provider. */
class ProviderCoverageTest {

  @TempDir Path dir;

  @Test
  void every_catalog_field_is_covered_by_exactly_one_registered_provider() {
    try (Candor candor = Candor.open(TestDatabases.config(TestDatabases.SQLITE, dir))) {
      List<SubjectData> providers = candor.privacy().providers();
      assertThat(providers).isNotEmpty();

      Map<String, List<String>> owners = new TreeMap<>();
      for (SubjectData provider : providers) {
        for (String field : provider.fieldIds()) {
          owners
              .computeIfAbsent(field, f -> new ArrayList<>())
              .add(provider.getClass().getSimpleName());
        }
      }
      Map<String, List<String>> wrong = new TreeMap<>();
      for (FieldSpec field : candor.catalog().fields()) {
        List<String> found = owners.getOrDefault(field.id(), List.of());
        if (found.size() != 1) {
          wrong.put(field.id(), found);
        }
      }
      assertThat(wrong).as("catalog fields with no provider or more than one").isEmpty();
    }
  }

  @Test
  void every_field_a_provider_claims_is_in_the_catalog_and_in_the_provider_category() {
    try (Candor candor = Candor.open(TestDatabases.config(TestDatabases.SQLITE, dir))) {
      Catalog catalog = candor.catalog();
      Set<String> unknown = new TreeSet<>();
      Set<String> elsewhere = new TreeSet<>();
      for (SubjectData provider : candor.privacy().providers()) {
        assertThat(provider.fieldIds()).isNotEmpty();
        for (String id : provider.fieldIds()) {
          catalog
              .field(id)
              .ifPresentOrElse(
                  f -> {
                    if (f.category() != provider.category()) {
                      elsewhere.add(id);
                    }
                  },
                  () -> unknown.add(id));
        }
      }
      assertThat(unknown).as("provider fields missing from the catalog").isEmpty();
      assertThat(elsewhere).as("provider fields of another category").isEmpty();
    }
  }

  @Test
  void the_transparency_page_lists_every_catalog_field_and_nothing_else() {
    try (Candor candor = Candor.open(TestDatabases.config(TestDatabases.SQLITE, dir))) {
      Set<String> reported = new TreeSet<>();
      candor
          .transparency()
          .view()
          .categories()
          .forEach(c -> c.fields().forEach(f -> reported.add(c.id() + "." + f.name())));
      Set<String> catalogued = new TreeSet<>();
      candor.catalog().fields().forEach(f -> catalogued.add(f.id()));
      assertThat(reported).isEqualTo(catalogued);
    }
  }
}
