package app.candor.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilderFactory;
import org.jdbi.v3.core.statement.StatementContext;
import org.sqlite.SQLiteConnection;

/**
 * Keeps SQLite's prepared statements for reuse, per connection: compiling a statement costs SQLite
 * as much as running a point query, and neither the driver nor the pool keeps them (PostgreSQL's
 * driver does, so this is for SQLite only).
 *
 * <p>Statements are prepared on the pool's physical connection, so the pool does not close them
 * when a handle gives the connection back; they die with that connection. A statement still in use
 * when the same SQL is asked for again on the same connection (a query nested in the iteration of
 * its own results) is not shared: the second one is prepared fresh and closed after use. Statements
 * that return generated keys, and calls, are never kept.
 */
final class StatementCache implements StatementBuilderFactory {

  /** Distinct SQL strings kept per connection; the least recently used goes first. */
  private static final int PER_CONNECTION = 256;

  // Keyed by the physical connection; its statements refer to it, so entries are dropped by hand
  // once their connection has closed (the pool replaced it), not by the garbage collector.
  private final Map<SQLiteConnection, Builder> builders = new IdentityHashMap<>();

  @Override
  public StatementBuilder createStatementBuilder(Connection connection) {
    SQLiteConnection raw;
    try {
      raw = connection.unwrap(SQLiteConnection.class);
    } catch (SQLException e) {
      return new DefaultStatementBuilder();
    }
    synchronized (builders) {
      Builder builder = builders.get(raw);
      if (builder == null) {
        builders.keySet().removeIf(StatementCache::closed);
        builder = new Builder(raw);
        builders.put(raw, builder);
      }
      return builder;
    }
  }

  private static boolean closed(Connection connection) {
    try {
      return connection.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** Statements of one physical connection, which one thread uses at a time (the pool's rule). */
  private static final class Builder extends DefaultStatementBuilder {

    private final SQLiteConnection raw;
    private final Map<PreparedStatement, String> sqlOf = new IdentityHashMap<>();
    private final Set<String> busy = new HashSet<>();
    private final Map<String, PreparedStatement> idle =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() > PER_CONNECTION) {
              discard(eldest.getValue());
              return true;
            }
            return false;
          }
        };

    Builder(SQLiteConnection raw) {
      this.raw = raw;
    }

    @Override
    public synchronized PreparedStatement create(
        Connection connection, String sql, StatementContext ctx) throws SQLException {
      if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable() || busy.contains(sql)) {
        return super.create(connection, sql, ctx); // the last: in use further up this stack
      }
      PreparedStatement statement = idle.remove(sql);
      if (statement != null && statement.isClosed()) {
        discard(statement);
        statement = null;
      }
      if (statement == null) {
        statement = raw.prepareStatement(sql);
        sqlOf.put(statement, sql);
      }
      busy.add(sql);
      return statement;
    }

    @Override
    public synchronized void close(Connection connection, String sql, Statement statement)
        throws SQLException {
      String key = statement instanceof PreparedStatement p ? sqlOf.get(p) : null;
      if (key == null) {
        super.close(connection, sql, statement);
        return;
      }
      PreparedStatement prepared = (PreparedStatement) statement;
      busy.remove(key);
      try {
        if (prepared.isClosed()) {
          discard(prepared);
          return;
        }
        prepared.clearParameters();
        prepared.clearBatch();
      } catch (SQLException e) {
        discard(prepared);
        return;
      }
      PreparedStatement previous = idle.put(key, prepared);
      if (previous != null && previous != prepared) {
        discard(previous);
      }
    }

    private void discard(PreparedStatement statement) {
      sqlOf.remove(statement);
      try {
        statement.close();
      } catch (SQLException e) {
        // The connection is going away; nothing to keep.
      }
    }
  }
}
