package app.candor.core.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the SQLite write-ahead log into the main file ahead of the commits, on its own thread and
 * connection. SQLite still checkpoints in the commit that takes the log past {@code
 * wal_autocheckpoint} pages, which keeps the log short and lets it start over; but by then this
 * thread has copied nearly every frame, so that commit has only the last few milliseconds' worth
 * left to copy, instead of the whole log (which made the requests waiting on it wait 40-130 ms).
 *
 * <p>Every {@link #PERIOD_MILLIS} while the log grows (every {@link #IDLE_MILLIS} when it does
 * not), a PASSIVE checkpoint copies the frames committed since the last one; it runs alongside
 * writers and never blocks them (should a commit's checkpoint find this one running, it skips its
 * own).
 *
 * <p>After each copy it also forces the copied pages of the main file to disk. SQLite syncs the
 * main file only once a checkpoint has copied the whole log, which, with commits coming all the
 * time, the commit's own checkpoint mostly is: that sync then had every page copied since the last
 * one to write out (20-25 ms, with the writer and every request waiting on it). Synced here as they
 * are copied, the commit's sync finds little left. The file is opened once, read-only, and closed
 * only after every SQLite connection (see {@link #closeFile()}): closing a descriptor of a file
 * releases the process's POSIX locks on it, SQLite's included.
 */
final class Checkpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
  static final long PERIOD_MILLIS = 10;
  static final long IDLE_MILLIS = 50;

  private final DataSource source;
  private final java.nio.channels.@Nullable FileChannel mainFile;
  private final Thread thread;
  private volatile boolean running = true;

  Checkpointer(DataSource source, java.nio.file.Path file) {
    this.source = source;
    this.mainFile = open(file);
    this.thread = new Thread(this::run, "candor-sqlite-checkpoint");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    while (running) {
      try (Connection c = source.getConnection();
          Statement st = c.createStatement()) {
        long synced = 0;
        while (running) {
          long[] r = passive(st);
          if (r[2] != synced) {
            force();
            synced = r[2];
          }
          sleep(r[1] == r[2] ? IDLE_MILLIS : PERIOD_MILLIS);
        }
      } catch (SQLException e) {
        // The class name only; retried after a pause (the commits' own checkpoints go on).
        LOG.warn("WAL checkpoint failed, retrying: {}", e.getClass().getName());
        sleep(1_000);
      }
    }
  }

  /** One PASSIVE checkpoint: {busy, frames in the log, frames copied}. */
  private static long[] passive(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }

  private static java.nio.channels.@Nullable FileChannel open(java.nio.file.Path file) {
    try {
      return java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
    } catch (java.io.IOException e) {
      // Then SQLite's own syncs do all of it, only later.
      LOG.warn("cannot open the database file to sync it ahead: {}", e.getClass().getName());
      return null;
    }
  }

  private void force() {
    if (mainFile == null) {
      return;
    }
    try {
      mainFile.force(false);
    } catch (java.io.IOException e) {
      // Not a durability question: SQLite syncs the file itself before the log starts over.
      LOG.warn("syncing the database file ahead failed: {}", e.getClass().getName());
    }
  }

  /** Closes the descriptor of the main file; only once every SQLite connection is closed. */
  void closeFile() {
    if (mainFile != null) {
      try {
        mainFile.close();
      } catch (java.io.IOException e) {
        // Nothing to keep.
      }
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
