package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.candor.Candor;
import app.candor.core.config.ConfigException;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer tells new events from retried ones by the row count of each batched insert. With
 * {@code reWriteBatchedInserts=true} the PostgreSQL driver reports no per-row counts (every event
 * looked like a duplicate and got no rollups), so such a URL is refused at start, with the reason.
 */
class PostgresBatchCountsTest {
  @TempDir Path dir;

  @Test
  void a_postgresql_url_that_hides_per_row_batch_counts_is_refused() {
    assumeTrue(TestDatabases.pgUrl().isPresent(), "CANDOR_TEST_PG_URL not set");
    String url = TestDatabases.freshPgSchemaUrl() + "&reWriteBatchedInserts=true";
    assertThatThrownBy(
            () ->
                Candor.open(
                    TestDatabases.config(TestDatabases.SQLITE, dir).withDbUrl(Optional.of(url))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("reWriteBatchedInserts");
  }
}
