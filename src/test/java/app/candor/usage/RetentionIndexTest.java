package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention purge finds expired events through the index by UTC day (migration V8), not by
 * scanning the log: the query plan names the index on both engines.
 */
class RetentionIndexTest {
  @TempDir Path dir;

  @Test
  void the_purge_searches_the_day_index_sqlite() {
    org.sqlite.SQLiteDataSource source = new org.sqlite.SQLiteDataSource();
    source.setUrl("jdbc:sqlite:" + dir.resolve("candor.db"));
    migrate(source, "sqlite");
    List<String> plan =
        Jdbi.create(source)
            .withHandle(
                h ->
                    h.createQuery("EXPLAIN QUERY PLAN " + Retention.PURGE_EVENTS)
                        .bind("d", 20_000)
                        .map((rs, ctx) -> rs.getString("detail"))
                        .list());
    assertThat(String.join("\n", plan)).contains("USING INDEX usage_events_day");
  }

  @Test
  void the_purge_searches_the_day_index_postgresql() {
    Assumptions.assumeTrue(TestDatabases.pgUrl().isPresent());
    org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
    source.setURL(TestDatabases.freshPgSchemaUrl());
    migrate(source, "postgresql");
    List<String> plan =
        Jdbi.create(source)
            .inTransaction(
                h -> {
                  // An empty table is cheapest to scan; ask whether the index can serve at all.
                  h.execute("SET LOCAL enable_seqscan = off");
                  return h.createQuery("EXPLAIN " + Retention.PURGE_EVENTS)
                      .bind("d", 20_000)
                      .mapTo(String.class)
                      .list();
                });
    assertThat(String.join("\n", plan)).contains("usage_events_day");
  }

  private static void migrate(DataSource source, String dialect) {
    Flyway.configure()
        .dataSource(source)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + dialect)
        .load()
        .migrate();
  }
}
