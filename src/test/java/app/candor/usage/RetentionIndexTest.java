package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
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
    DataSource source = TestDatabases.dataSource(TestDatabases.SQLITE, dir);
    TestDatabases.migrate(source, TestDatabases.SQLITE, "latest");
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
    DataSource source = TestDatabases.dataSource(TestDatabases.POSTGRESQL, dir);
    TestDatabases.migrate(source, TestDatabases.POSTGRESQL, "latest");
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
}
