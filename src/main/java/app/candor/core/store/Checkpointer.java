package app.candor.core.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the SQLite write-ahead log into the main file on its own thread and connection, so that no
 * committing writer does it inside a commit (SQLite's automatic checkpoint runs in the commit that
 * crosses the threshold, and everyone waiting on that commit waits for the whole copy).
 *
 * <p>Every {@link #PERIOD_MILLIS} while the log grows (every {@link #IDLE_MILLIS} when it does
 * not), a PASSIVE checkpoint copies the frames committed since the last one; it runs alongside
 * writers and never blocks them. The log file starts over when a write begins after a checkpoint
 * has copied every frame: any short pause between writes is enough, since each pass has little to
 * copy. A writer that never pauses calls {@link #restartIfLong} between two of its transactions:
 * once the log is long, it runs a PASSIVE checkpoint itself, which, with no write under way, copies
 * what the background pass has not reached yet, and its next write starts the log over. No one
 * waits on a lock for any of it.
 */
final class Checkpointer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
  static final long PERIOD_MILLIS = 10;
  static final long IDLE_MILLIS = 50;

  private final DataSource source;
  private final int restartPages;
  private final Thread thread;
  private volatile boolean running = true;
  // Frames in the log at the last checkpoint (-1: not in WAL mode, or unknown).
  private volatile long logFrames;

  Checkpointer(DataSource source, int restartPages) {
    this.source = source;
    this.restartPages = restartPages;
    this.thread = new Thread(this::run, "candor-sqlite-checkpoint");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    while (running) {
      try (Connection c = source.getConnection();
          Statement st = c.createStatement()) {
        while (running) {
          long[] r = passive(st);
          logFrames = r[1];
          // Copying as the log grows keeps each pass short, and lets a pass finish the log in any
          // pause between two writes, after which the next write starts the log over.
          sleep(r[1] == r[2] ? IDLE_MILLIS : PERIOD_MILLIS);
        }
      } catch (SQLException e) {
        // The class name only; retried after a pause (the log keeps everything meanwhile).
        LOG.warn("WAL checkpoint failed, retrying: {}", e.getClass().getName());
        sleep(1_000);
      }
    }
  }

  /** Whether the log has grown past {@code restartPages} frames, at the last look. */
  boolean isLong() {
    return logFrames > restartPages;
  }

  /**
   * For a writer, on its own connection and outside a transaction: when the log has grown past
   * {@code restartPages}, copies what is left of it so that the next write starts it over.
   */
  void restartIfLong(Connection c) throws SQLException {
    if (isLong()) {
      try (Statement st = c.createStatement()) {
        long[] r = passive(st);
        if (r[0] == 0 && r[1] == r[2]) {
          logFrames = 0;
        }
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
