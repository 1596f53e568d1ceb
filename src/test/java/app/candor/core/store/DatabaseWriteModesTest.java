package app.candor.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite write-ahead log is copied into the main file by a background thread and stays short
 * under a steady stream of writes; relaxed transactions (rollups, redone after a crash) commit
 * without waiting for the disk and leave every connection durable afterwards; a commit flushed
 * later (the usage writer's pipelined group commit) is in the files once {@link Database#flush()}
 * returns.
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
  void the_log_is_copied_in_the_background_and_stays_short_under_steady_writes() throws Exception {
    try (Database db = Database.sqlite(dir.resolve("candor.db"))) {
      db.withHandle(h -> h.execute("CREATE TABLE scratch (v TEXT)"));
      assertThat(number(db, "PRAGMA wal_autocheckpoint")).isEqualTo(4_096L);
      // About 12,000 pages written without a pause: the log starts over instead of holding them.
      writeRows(db, 1_200, 10);
      assertThat(walState(db)[1]).isLessThan(2 * 4_096L);
      // At rest, the background pass copies everything, with no commit to trigger it.
      db.useTransaction(h -> h.execute("INSERT INTO scratch (v) VALUES (?)", ROW));
      long deadline = System.nanoTime() + 5_000_000_000L;
      long[] state;
      do {
        Thread.sleep(20);
        state = walState(db);
      } while (state[1] != state[2] && System.nanoTime() < deadline);
      assertThat(state[2]).isEqualTo(state[1]);
      assertThat(number(db, "SELECT COUNT(*) FROM scratch")).isEqualTo(12_001L);
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

  @Test
  void a_commit_flushed_later_is_in_the_files_once_flushed_sqlite() throws Exception {
    Path file = dir.resolve("candor.db");
    try (Database db = Database.sqlite(file)) {
      db.withHandle(h -> h.execute("CREATE TABLE scratch (v TEXT)"));
      db.useTransactionFlushedLater(h -> h.execute("INSERT INTO scratch (v) VALUES ('kept')"));
      db.flush();
      assertThat(number(db, "PRAGMA synchronous")).isEqualTo(2L);
      // What a crash would leave: the main file and the log as they are, opened elsewhere.
      Path copy = java.nio.file.Files.createDirectories(dir.resolve("copy"));
      java.nio.file.Files.copy(file, copy.resolve("candor.db"));
      Path wal = dir.resolve("candor.db-wal");
      if (java.nio.file.Files.exists(wal)) {
        java.nio.file.Files.copy(wal, copy.resolve("candor.db-wal"));
      }
      try (Database reopened = Database.sqlite(copy.resolve("candor.db"))) {
        assertThat(number(reopened, "SELECT COUNT(*) FROM scratch WHERE v = 'kept'")).isEqualTo(1L);
      }
    }
    // With no log file at all (all of it in the main file), flushing has nothing to do.
    try (Database db = Database.sqlite(dir.resolve("other.db"))) {
      db.close();
      db.flush();
    }
  }

  @Test
  void a_commit_flushed_later_commits_and_flush_answers_postgresql() {
    org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabases.pgUrl().isPresent());
    try (Database db = Database.postgres(TestDatabases.freshPgSchemaUrl())) {
      db.withHandle(h -> h.execute("CREATE TABLE scratch (v TEXT)"));
      db.useTransactionFlushedLater(h -> h.execute("INSERT INTO scratch (v) VALUES ('kept')"));
      db.flush();
      long rows =
          db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM scratch").mapTo(Long.class).one());
      String mode =
          db.withHandle(h -> h.createQuery("SHOW synchronous_commit").mapTo(String.class).one());
      assertThat(rows).isEqualTo(1L);
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
