package app.candor.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The reference: the very rows Candor stored through HTTP, loaded into PostgreSQL with {@code COPY}
 * into plain tables shaped like usage_events: one with the same primary key (what Candor's table
 * has), one without any index. Each load is one statement, committed (durable) before the clock
 * stops.
 */
final class CopyRef {

  record Result(long rows, long bytes, double withKeySeconds, double noIndexSeconds) {
    double withKeyRowsPerSecond() {
      return rows / withKeySeconds;
    }

    double noIndexRowsPerSecond() {
      return rows / noIndexSeconds;
    }

    @Override
    public String toString() {
      return String.format(
          "%d rows (%d MB of COPY text): with primary key %.1f s = %.0f rows/s; no index %.1f s ="
              + " %.0f rows/s",
          rows,
          bytes / 1_000_000,
          withKeySeconds,
          withKeyRowsPerSecond(),
          noIndexSeconds,
          noIndexRowsPerSecond());
    }
  }

  private CopyRef() {}

  static Result run(String pgUrl, String schema, Path work) throws Exception {
    Path file = Files.createTempFile(work, "usage-events-", ".copy");
    try (Connection c = DriverManager.getConnection(pgUrl)) {
      c.setAutoCommit(true);
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      long rows;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
        rows =
            copy.copyOut(
                "COPY (SELECT subject_id, message_id, at, type, name, service, received_at,"
                    + " detail_ct FROM "
                    + schema
                    + ".usage_events) TO STDOUT",
                out);
      }
      long bytes = Files.size(file);
      String columns =
          " (subject_id TEXT NOT NULL, message_id TEXT NOT NULL, at BIGINT NOT NULL,"
              + " type TEXT NOT NULL, name TEXT NOT NULL, service TEXT NOT NULL,"
              + " received_at BIGINT NOT NULL, detail_ct BYTEA";
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE "
                + schema
                + ".copy_with_key"
                + columns
                + ", PRIMARY KEY (subject_id, message_id))");
        st.execute("CREATE TABLE " + schema + ".copy_no_index" + columns + ")");
        // Warm the file into the page cache so both loads read it from memory.
        try (InputStream in = Files.newInputStream(file)) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      double withKey = load(copy, schema + ".copy_with_key", file);
      double noIndex = load(copy, schema + ".copy_no_index", file);
      return new Result(rows, bytes, withKey, noIndex);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static double load(CopyManager copy, String table, Path file) throws Exception {
    long t = System.nanoTime();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
      copy.copyIn("COPY " + table + " FROM STDIN", in);
    }
    return (System.nanoTime() - t) / 1e9;
  }
}
