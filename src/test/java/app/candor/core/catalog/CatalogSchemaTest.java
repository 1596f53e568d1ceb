package app.candor.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalog is the single source of truth: the real, migrated schema may hold no column about a
 * person that the catalog does not declare, and the catalog may declare no column that does not
 * exist.
 */
class CatalogSchemaTest {

  @TempDir Path dir;

  static Iterable<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void every_column_of_a_table_about_people_is_declared_in_the_catalog(String kind) {
    try (Candor candor = Candor.open(TestDatabases.config(kind, dir))) {
      Map<String, Set<String>> schema = schema(candor);
      Catalog catalog = candor.catalog();
      Set<String> declared = declaredColumns(catalog);

      Set<String> personalTables = new TreeSet<>();
      Set<String> undeclared = new TreeSet<>();
      schema.forEach(
          (table, columns) -> {
            if (!columns.contains("subject_id")) {
              return;
            }
            personalTables.add(table);
            for (String column : columns) {
              String qualified = table + "." + column;
              if (!column.equals("subject_id") && !declared.contains(qualified)) {
                undeclared.add(qualified);
              }
            }
          });

      // The check must actually see the tables it is about.
      assertThat(personalTables)
          .contains(
              "people",
              "subject_keys",
              "consents",
              "consent_events",
              "access_log",
              "user_tokens",
              "otp_verifications");
      assertThat(undeclared)
          .as(
              "columns of tables with a subject_id that are neither a catalog field's column nor"
                  + " a technical column in Catalog")
          .isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void every_column_the_catalog_declares_exists_in_the_schema(String kind) {
    try (Candor candor = Candor.open(TestDatabases.config(kind, dir))) {
      Map<String, Set<String>> schema = schema(candor);
      Set<String> existing = new HashSet<>();
      schema.forEach((table, columns) -> columns.forEach(c -> existing.add(table + "." + c)));

      Set<String> missing = new TreeSet<>(declaredColumns(candor.catalog()));
      missing.removeAll(existing);

      assertThat(declaredColumns(candor.catalog())).isNotEmpty();
      assertThat(missing).as("declared in the catalog but not in the schema").isEmpty();
    }
  }

  @Test
  void no_column_is_both_a_field_and_a_technical_column_or_in_two_fields() {
    Catalog catalog = Catalog.standard(new RetentionSettings(395, 30, Duration.ofHours(6)));
    Map<String, String> owner = new TreeMap<>();
    Set<String> twice = new TreeSet<>();
    for (FieldSpec field : catalog.fields()) {
      for (String column : field.columns()) {
        if (owner.put(column, field.id()) != null) {
          twice.add(column);
        }
      }
    }
    for (String column : catalog.technicalColumns().keySet()) {
      if (owner.containsKey(column)) {
        twice.add(column);
      }
    }
    assertThat(twice).isEmpty();
  }

  private static Set<String> declaredColumns(Catalog catalog) {
    Set<String> declared = new TreeSet<>();
    for (FieldSpec field : catalog.fields()) {
      field.columns().forEach(c -> declared.add(c.toLowerCase(Locale.ROOT)));
    }
    catalog.technicalColumns().keySet().forEach(c -> declared.add(c.toLowerCase(Locale.ROOT)));
    return declared;
  }

  /** Table name to column names, lower case, from JDBC metadata of this test's own schema. */
  private static Map<String, Set<String>> schema(Candor candor) {
    return candor
        .database()
        .withConnection(
            connection -> {
              try {
                return read(connection);
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
  }

  private static Map<String, Set<String>> read(Connection connection) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    // On PostgreSQL only the test's own schema; SQLite has none.
    String schema = connection.getSchema();
    Map<String, Set<String>> out = new TreeMap<>();
    try (ResultSet tables = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (tables.next()) {
        String table = tables.getString("TABLE_NAME");
        if (table.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
          continue;
        }
        out.put(table.toLowerCase(Locale.ROOT), new TreeSet<>());
      }
    }
    try (ResultSet columns = meta.getColumns(null, schema, "%", "%")) {
      while (columns.next()) {
        String table = columns.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
        Set<String> set = out.get(table);
        if (set != null) {
          set.add(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no tables found in schema " + schema);
    }
    return out;
  }
}
