package app.candor.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite write-ahead log is copied into the main file off the committing threads, and still
 * starts over under a steady stream of writes; relaxed transactions (rollups, redone after a crash)
 * commit without waiting for the disk and leave every connection durable afterwards.
 */
class DatabaseWriteModesTest {
  @TempDir Path dir;

  private static final String ROW = "x".repeat(3_000);

  private static void writeRows(Database db, int transactions, int rowsEach) {
    for (int t = 0; t < transactions; t++) {
      db.useTransaction(
          h -> {
            for (int i = 0; i < rowsEach; i++) {
              h.execute("INSERT INTO scratch (v) VALUES (?)", ROW);
            }
          });
      db.restartLogIfLong();
    }
  }

  private static long[] walState(Database db) {
    return db.withHandle(
        h ->
            h.createQuery("PRAGMA wal_checkpoint(PASSIVE)")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                .one());
  }

  private static long number(Database db, String sql) {
    Long n = db.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    return n;
  }

  @Test
  void commits_never_checkpoint_and_the_log_starts_over_under_steady_writes() throws Exception {
    try (Database db = Database.sqlite(dir.resolve("candor.db"), 200)) {
      db.withHandle(h -> h.execute("CREATE TABLE scratch (v TEXT)"));
      // No connection of the pool checkpoints in its commits.
      assertThat(number(db, "PRAGMA wal_autocheckpoint")).isZero();
      // About 4,000 pages written without a pause long enough for the log to be copied whole:
      // a log that never started over would hold them all.
      writeRows(db, 400, 10);
      long frames = walState(db)[1];
      assertThat(frames).isLessThan(2_000);
      // At rest, the background pass copies everything.
      long deadline = System.nanoTime() + 5_000_000_000L;
      long[] state;
      do {
        Thread.sleep(20);
        state = walState(db);
      } while (state[1] != state[2] && System.nanoTime() < deadline);
      assertThat(state[2]).isEqualTo(state[1]);
      assertThat(number(db, "SELECT COUNT(*) FROM scratch")).isEqualTo(4_000L);
    }
  }

  @Test
  void a_relaxed_transaction_commits_and_leaves_the_connection_durable_sqlite() {
    try (Database db = Database.sqlite(dir.resolve("candor.db"))) {
      relaxed(db);
      // Every pooled connection is back to synchronous=FULL (2).
      for (int i = 0; i < 8; i++) {
        assertThat(number(db, "PRAGMA synchronous")).isEqualTo(2L);
      }
    }
  }

  @Test
  void a_relaxed_transaction_commits_and_leaves_the_connection_durable_postgresql() {
    org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabases.pgUrl().isPresent());
    try (Database db = Database.postgres(TestDatabases.freshPgSchemaUrl())) {
      relaxed(db);
      String mode =
          db.withHandle(h -> h.createQuery("SHOW synchronous_commit").mapTo(String.class).one());
      assertThat(mode).isEqualTo("on");
    }
  }

  private static void relaxed(Database db) {
    db.withHandle(h -> h.execute("CREATE TABLE scratch (v TEXT)"));
    db.useRelaxedTransaction(h -> h.execute("INSERT INTO scratch (v) VALUES ('kept')"));
    // A failing relaxed transaction writes nothing.
    assertThatThrownBy(
            () ->
                db.useRelaxedTransaction(
                    h -> {
                      h.execute("INSERT INTO scratch (v) VALUES ('rolled back')");
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    java.util.List<String> rows =
        db.withHandle(h -> h.createQuery("SELECT v FROM scratch").mapTo(String.class).list());
    assertThat(rows).containsExactly("kept");
  }
}
