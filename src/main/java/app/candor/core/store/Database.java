package app.candor.core.store;

import app.candor.core.config.ConfigException;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleConsumer;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The system of record: a HikariCP pool, Flyway migrations and Jdbi over either the embedded SQLite
 * file or PostgreSQL. Callers get handles through callbacks, so none can leak.
 */
public final class Database implements AutoCloseable {

  /** The two supported engines; SQL that must differ asks for the dialect. */
  public enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final Path sqliteFile;
  private final @Nullable Checkpointer checkpointer;

  /**
   * SQLite takes its one write lock at BEGIN; a writer that finds it taken sleeps and polls, so one
   * busy writer (the access log's group commit, say) can starve another (the location updates') for
   * seconds. Transactions of this process queue here first, in arrival order.
   */
  private final java.util.concurrent.locks.ReentrantLock writers =
      new java.util.concurrent.locks.ReentrantLock(true);

  private Database(
      HikariDataSource pool,
      Dialect dialect,
      Path sqliteFile,
      java.util.function.@Nullable Supplier<Checkpointer> checkpointer) {
    this.pool = pool;
    this.dialect = dialect;
    this.sqliteFile = sqliteFile;
    this.jdbi = Jdbi.create(pool);
    if (dialect == Dialect.SQLITE) {
      jdbi.setStatementBuilderFactory(new StatementCache());
    }
    this.checkpointer = checkpointer == null ? null : checkpointer.get();
  }

  /** Opens the embedded database file at {@code file}, creating it when absent. */
  public static Database sqlite(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      throw new ConfigException(
          "cannot create the data directory " + file.getParent() + ": " + e.getMessage());
    }
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL: an acknowledged commit is on disk, even after kill -9 or power loss.
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sqlite.setBusyTimeout(30_000);
    sqlite.enforceForeignKeys(true);
    // Writers take the lock at BEGIN, so two writers never deadlock on an upgrade.
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    // Deleted rows are overwritten with zeros, so erased people cannot be carved from the file.
    sqlite.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "true");
    // 64 MiB of page cache per connection: the usage tables are written at high rates.
    sqlite.setCacheSize(-65_536);
    // The commit that takes the log past 4,096 pages (16 MiB) checkpoints, so the log stays short
    // and starts over; the Checkpointer has copied most of it by then, on its own thread, so that
    // commit has little left to do (BENCHMARKS.md has the trade-offs).
    sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "4096");
    sqlite.setPragma(SQLiteConfig.Pragma.JOURNAL_SIZE_LIMIT, Long.toString(256L << 20));
    sqlite.setTempStore(SQLiteConfig.TempStore.MEMORY);
    SQLiteDataSource source = new SQLiteDataSource(sqlite);
    source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    HikariConfig hikari = new HikariConfig();
    hikari.setDataSource(source);
    hikari.setPoolName("candor-sqlite");
    hikari.setMaximumPoolSize(12);
    hikari.setConnectionTimeout(30_000);
    return migrate(
        new HikariDataSource(hikari), Dialect.SQLITE, file, () -> new Checkpointer(source, file));
  }

  /** Connects to PostgreSQL at {@code jdbcUrl}. */
  public static Database postgres(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (jdbcUrl.toLowerCase(java.util.Locale.ROOT).contains("rewritebatchedinserts=true")) {
      // The driver then answers SUCCESS_NO_INFO for each row of a batch: the usage writer could
      // no longer tell new events from retried ones, and would skip their rollups.
      throw new ConfigException(
          "CANDOR_DB_URL must not set reWriteBatchedInserts=true: Candor needs the row count of"
              + " each batched statement; remove that parameter");
    }
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setPoolName("candor-postgresql");
    hikari.setMaximumPoolSize(8);
    hikari.setConnectionTimeout(10_000);
    try {
      return migrate(new HikariDataSource(hikari), Dialect.POSTGRESQL, null, null);
    } catch (RuntimeException e) {
      throw new ConfigException(
          "cannot connect to PostgreSQL at the CANDOR_DB_URL given ("
              + rootMessage(e)
              + "); check host, port, database and credentials");
    }
  }

  private static Database migrate(
      HikariDataSource pool,
      Dialect dialect,
      @Nullable Path file,
      java.util.function.@Nullable Supplier<Checkpointer> checkpointer) {
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations(
              "classpath:db/migration/common",
              "classpath:db/migration/" + dialect.name().toLowerCase(java.util.Locale.ROOT))
          .load()
          .migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new Database(pool, dialect, file, checkpointer);
  }

  public Dialect dialect() {
    return dialect;
  }

  public <R, X extends Exception> R inTransaction(HandleCallback<R, X> callback) throws X {
    lockWriters();
    try {
      return jdbi.inTransaction(callback);
    } finally {
      unlockWriters();
    }
  }

  /**
   * As {@link #inTransaction}, run again (up to five times) when PostgreSQL chose it to fail a
   * deadlock or a serialization conflict with another transaction: nothing of it was committed, and
   * the other one went through. For transactions that lock rows other writers lock too, in an order
   * they cannot always share (a hold's settlement and a group of transfers).
   */
  public <R, X extends Exception> R inTransactionRetried(HandleCallback<R, X> callback) throws X {
    for (int attempt = 1; ; attempt++) {
      try {
        return inTransaction(callback);
      } catch (RuntimeException e) {
        if (attempt >= 5 || !isRetryable(e)) {
          throw e;
        }
      }
    }
  }

  public <X extends Exception> void useTransaction(HandleConsumer<X> callback) throws X {
    lockWriters();
    try {
      jdbi.useTransaction(callback);
    } finally {
      unlockWriters();
    }
  }

  private void lockWriters() {
    if (dialect == Dialect.SQLITE) {
      writers.lock();
    }
  }

  private void unlockWriters() {
    if (dialect == Dialect.SQLITE) {
      writers.unlock();
    }
  }

  /**
   * A transaction of derived data that can be recomputed after a crash (rollups of events already
   * stored durably): it commits without waiting for the disk. Should the machine fail before a
   * later durable commit flushes the log, the transaction is lost as a whole, never half applied,
   * and nothing committed durably after it is lost. SQLite: {@code synchronous=NORMAL} for this
   * transaction only; PostgreSQL: {@code synchronous_commit = off} for this transaction only.
   */
  public <X extends Exception> void useRelaxedTransaction(HandleConsumer<X> callback) throws X {
    if (dialect == Dialect.POSTGRESQL) {
      jdbi.useTransaction(
          h -> {
            h.execute("SET LOCAL synchronous_commit = off");
            callback.useHandle(h);
          });
      return;
    }
    lockWriters();
    try {
      jdbi.useHandle(
          h -> {
            h.execute("PRAGMA synchronous = NORMAL");
            try {
              h.useTransaction(callback);
            } finally {
              restoreFullSync(h);
            }
          });
    } finally {
      unlockWriters();
    }
  }

  /**
   * Commits a transaction without waiting for the disk, for a writer that acknowledges nothing
   * until {@link #flush()} has returned afterwards: meanwhile it goes on to its next transaction
   * while the disk catches up with this one (a pipelined group commit). Until that flush, a power
   * failure may lose this transaction whole (never half of it), with nothing committed durably
   * before it; a crash of the process alone loses nothing.
   */
  public <X extends Exception> void useTransactionFlushedLater(HandleConsumer<X> callback)
      throws X {
    useRelaxedTransaction(callback);
  }

  /**
   * Makes every transaction committed so far durable, as a durable commit would have. SQLite: the
   * write-ahead log is forced to disk (it holds every commit not yet copied into the main file, and
   * copies into the main file are synced before the log starts over); PostgreSQL: a transaction
   * with an id commits durably, which flushes the log up to its commit and so every commit before
   * it.
   */
  public void flush() {
    if (dialect == Dialect.POSTGRESQL) {
      jdbi.useHandle(h -> h.createQuery("SELECT txid_current()").mapTo(Long.class).one());
      return;
    }
    Path wal = sqliteFile.resolveSibling(sqliteFile.getFileName() + "-wal");
    // A new descriptor each time: should the log file be replaced, the old one would sync nothing.
    // SQLite locks the main file and the -shm file, never the -wal file, so closing this one
    // releases none of its locks.
    try (java.nio.channels.FileChannel log =
        java.nio.channels.FileChannel.open(wal, java.nio.file.StandardOpenOption.WRITE)) {
      log.force(false);
    } catch (java.nio.file.NoSuchFileException e) {
      // No log: every commit is in the main file, which SQLite synced before removing the log.
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the write-ahead log could not be synced", e);
    }
  }

  /** Back to durable commits; a connection that cannot be restored is closed, never reused. */
  private void restoreFullSync(Handle h) {
    try {
      h.execute("PRAGMA synchronous = FULL");
    } catch (RuntimeException e) {
      pool.evictConnection(h.getConnection());
      throw e;
    }
  }

  public <R, X extends Exception> R withHandle(HandleCallback<R, X> callback) throws X {
    return jdbi.withHandle(callback);
  }

  /** True when the database answers a trivial query. */
  public boolean ready() {
    try {
      return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * After an erasure: moves the write-ahead log into the main file and truncates it, so old page
   * images holding the erased rows do not linger in the WAL file. A no-op on PostgreSQL, whose
   * files never held the plaintext.
   */
  public void flushErasedPages() {
    if (dialect != Dialect.SQLITE) {
      return;
    }
    // A checkpoint already running on another connection (the Checkpointer's) makes this one
    // answer busy at once, having copied nothing: it is tried again until it has done it all.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (true) {
      long busy =
          jdbi.withHandle(
              h ->
                  h.createQuery("PRAGMA wal_checkpoint(TRUNCATE)")
                      .map((rs, ctx) -> rs.getLong(1))
                      .one());
      if (busy == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the write-ahead log could not be emptied after an erasure (readers kept it busy)");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while emptying the write-ahead log", e);
      }
    }
  }

  /** The embedded database file, when there is one. */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(sqliteFile);
  }

  /** The engine behind a handle (for SQL that differs, where only the handle is at hand). */
  public static Dialect dialectOf(Handle h) {
    try {
      return h.getConnection().isWrapperFor(org.sqlite.SQLiteConnection.class)
          ? Dialect.SQLITE
          : Dialect.POSTGRESQL;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot tell the database engine", e);
    }
  }

  /** True when {@code e} was caused by a unique or primary key violation, on either engine. */
  /**
   * Whether {@code e} is a deadlock or a serialization failure (PostgreSQL's 40P01 and 40001): the
   * transaction was rolled back as a whole and may simply be run again.
   */
  public static boolean isRetryable(Throwable e) {
    return sqlState(e).filter(s -> s.equals("40P01") || s.equals("40001")).isPresent();
  }

  /** The SQL state of the first SQL exception in {@code e}'s causes (no data, safe to log). */
  public static java.util.Optional<String> sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        return java.util.Optional.of(sql.getSQLState());
      }
    }
    return java.util.Optional.empty();
  }

  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.sqlite.SQLiteException s) {
        int code = s.getResultCode().code;
        return code == 2067 || code == 1555; // CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY
      }
      if (t instanceof SQLException s && "23505".equals(s.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** For tools that need plain JDBC metadata (schema checks). */
  public <R> R withConnection(java.util.function.Function<java.sql.Connection, R> work) {
    return jdbi.withHandle(h -> work.apply(h.getConnection()));
  }

  public Handle open() {
    return jdbi.open();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Override
  public void close() {
    if (checkpointer != null) {
      checkpointer.close();
    }
    if (dialect == Dialect.SQLITE) {
      try {
        jdbi.useHandle(h -> h.execute("PRAGMA wal_checkpoint(TRUNCATE)"));
      } catch (RuntimeException e) {
        // The WAL is replayed at the next open; nothing is lost.
      }
    }
    pool.close();
    if (checkpointer != null) {
      checkpointer.closeFile();
    }
  }
}
