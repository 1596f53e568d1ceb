package app.candor.core.audit;

import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Every read of a person's data by a service or an operator, readable by that person. Reads at high
 * rates (people nearby: one entry for the viewer and one per person shown) go through {@link
 * #recordSoon}: queued, and written in batches by a background thread within about {@link
 * #FLUSH_MILLIS}, which costs a request no transaction of its own. A person reading their log, and
 * shutting down, write what is queued first.
 */
public final class AccessLog implements AutoCloseable {

  /** One read: who, why, which fields, when. */
  public record Entry(Instant at, String caller, String purpose, List<String> fields) {}

  static final long FLUSH_MILLIS = 100;

  private record Pending(String subjectId, String caller, String purpose, String fields, long at) {}

  private final Database db;
  private final Clock clock;
  private final java.util.concurrent.ConcurrentLinkedQueue<Pending> pending =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final Object writing = new Object();
  private final Thread writer;
  private volatile boolean running = true;

  public AccessLog(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.writer = new Thread(this::run, "candor-access-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Queues an entry, written within about {@link #FLUSH_MILLIS} (see the class comment). */
  public void recordSoon(String subjectId, String caller, String purpose, List<String> fields) {
    pending.add(new Pending(subjectId, caller, purpose, String.join(",", fields), clock.millis()));
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(FLUSH_MILLIS);
        flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // The class name only; what is queued stays queued and is tried again.
        org.slf4j.LoggerFactory.getLogger(AccessLog.class)
            .warn("writing queued access-log entries failed: {}", e.getClass().getName());
      }
    }
  }

  /**
   * Writes what is queued, in one transaction, for the people who still exist: the key rows are
   * share-locked on PostgreSQL, so an erasure either waits for this write (and then deletes its
   * rows) or is seen by it (and nothing is written about the erased person).
   */
  public void flush() {
    synchronized (writing) {
      List<Pending> batch = new java.util.ArrayList<>();
      for (Pending p = pending.peek(); p != null && batch.size() < 50_000; p = pending.peek()) {
        batch.add(p);
        pending.poll();
      }
      if (batch.isEmpty()) {
        return;
      }
      // The same read repeated within the batch: written once, at its first time.
      java.util.Map<List<String>, Pending> distinct = new java.util.LinkedHashMap<>();
      for (Pending p : batch) {
        distinct.putIfAbsent(List.of(p.subjectId(), p.caller(), p.purpose(), p.fields()), p);
      }
      List<Pending> rowsToWrite = new java.util.ArrayList<>(distinct.values());
      boolean postgres = db.dialect() == Database.Dialect.POSTGRESQL;
      try {
        db.useTransaction(
            h -> {
              java.util.Set<String> subjects = new java.util.HashSet<>();
              rowsToWrite.forEach(p -> subjects.add(p.subjectId()));
              java.util.Set<String> present = new java.util.HashSet<>();
              List<String> all = new java.util.ArrayList<>(subjects);
              for (int i = 0; i < all.size(); i += 500) {
                present.addAll(
                    h.createQuery(
                            "SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)"
                                + (postgres ? " FOR SHARE" : ""))
                        .bindList("s", all.subList(i, Math.min(all.size(), i + 500)))
                        .mapTo(String.class)
                        .list());
              }
              // Plain JDBC: a batch holds tens of thousands of rows at people-nearby rates.
              try (java.sql.PreparedStatement insert =
                  h.getConnection()
                      .prepareStatement(
                          "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields)"
                              + " VALUES (?, ?, ?, ?, ?, ?)")) {
                java.util.concurrent.ThreadLocalRandom random =
                    java.util.concurrent.ThreadLocalRandom.current();
                int rows = 0;
                for (Pending p : rowsToWrite) {
                  if (present.contains(p.subjectId())) {
                    // A row id, not a secret: no need for the secure generator's cost.
                    insert.setString(1, new UUID(random.nextLong(), random.nextLong()).toString());
                    insert.setString(2, p.subjectId());
                    insert.setLong(3, p.at());
                    insert.setString(4, p.caller());
                    insert.setString(5, p.purpose());
                    insert.setString(6, p.fields());
                    insert.addBatch();
                    rows++;
                  }
                }
                if (rows > 0) {
                  insert.executeBatch();
                }
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException("access log batch failed", e);
              }
            });
      } catch (RuntimeException e) {
        // Back in the queue, in order, for the next attempt.
        List<Pending> rest = new java.util.ArrayList<>(batch);
        pending.forEach(rest::add);
        pending.clear();
        pending.addAll(rest);
        throw e;
      }
    }
  }

  /** Writes what is queued, then stops the background writer. */
  @Override
  public void close() {
    running = false;
    writer.interrupt();
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }

  public void record(String subjectId, String caller, String purpose, List<String> fields) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields)"
                        + " VALUES (:id, :s, :at, :c, :p, :f)")
                .bind("id", UUID.randomUUID().toString())
                .bind("s", subjectId)
                .bind("at", clock.millis())
                .bind("c", caller)
                .bind("p", purpose)
                .bind("f", String.join(",", fields))
                .execute());
  }

  public List<Entry> entries(String subjectId) {
    flush();
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT at, caller, purpose, fields FROM access_log WHERE subject_id = :s"
                        + " ORDER BY at, id")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) ->
                        new Entry(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4).isEmpty()
                                ? List.of()
                                : Arrays.asList(rs.getString(4).split(","))))
                .list());
  }

  public int erase(Handle h, String subjectId) {
    // Queued entries about the person go too; one being written now waits for this erasure, or
    // the erasure for it (see flush).
    pending.removeIf(p -> p.subjectId().equals(subjectId));
    return h.createUpdate("DELETE FROM access_log WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
  }

  public long subjectsWithEntries() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM access_log")
                .mapTo(Long.class)
                .one());
  }
}
