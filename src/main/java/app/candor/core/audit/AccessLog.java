package app.candor.core.audit;

import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * Every read of a person's data by a service or an operator, readable by that person. Entries are
 * durable before the answer they record is sent: each read waits for its entry's group commit
 * ({@link GroupCommit}), so many concurrent reads share one transaction and one sync.
 *
 * <p>Two kinds of entry: one row per read ({@link #read}), and reads counted per person, day,
 * caller, purpose and fields ({@link #shown}) for being shown to people nearby, where a row per
 * person shown would cost more than the query itself. Entries are written only for people who still
 * exist: the key rows are share-locked on PostgreSQL (SQLite writers are serialized), so an erasure
 * either follows the write and deletes its rows, or is seen by it.
 */
public final class AccessLog implements AutoCloseable {

  /**
   * One entry: who, why, which fields, when. {@code reads} is 1 for a single read; a counted entry
   * covers {@code day} and says when the last of its reads happened.
   */
  public record Entry(
      Instant at,
      String caller,
      String purpose,
      List<String> fields,
      long reads,
      Optional<LocalDate> day) {}

  private sealed interface Pending {
    long at();

    String caller();

    String purpose();

    String fields();
  }

  private record Single(String subjectId, String caller, String purpose, String fields, long at)
      implements Pending {}

  private record Shown(
      Collection<String> subjectIds, String caller, String purpose, String fields, long at)
      implements Pending {}

  private record DayKey(String subjectId, long day, String caller, String purpose, String fields) {}

  private static final class Count {
    long reads;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
  }

  private static final long DAY_MILLIS = 86_400_000L;

  private final Database db;
  private final Clock clock;
  private final GroupCommit<Pending, Void> commits;

  public AccessLog(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.commits =
        new GroupCommit<>("access-log", db, GroupCommit.silent(this::write), 10_000, 100_000);
  }

  /** Records one read of {@code fields} of the person; returns once the entry is durable. */
  public void read(String subjectId, String caller, String purpose, List<String> fields) {
    commits.commit(
        new Single(subjectId, caller, purpose, String.join(",", fields), clock.millis()));
  }

  /**
   * As {@link #read}, without waiting: the future completes once the entry is durable, or fails
   * (503) when it cannot be made so.
   */
  public java.util.concurrent.CompletableFuture<Void> readLater(
      String subjectId, String caller, String purpose, List<String> fields) {
    return commits.submitBounded(
        new Single(subjectId, caller, purpose, String.join(",", fields), clock.millis()));
  }

  /** Waits for a future of this log's (as {@link #read} does), its failures turned into 503. */
  public <T> T await(java.util.concurrent.CompletableFuture<T> done) {
    return GroupCommit.await(done, "access-log");
  }

  /**
   * Records one read of {@code fields} of the person inside the caller's transaction, which must
   * have checked that the person still exists (on PostgreSQL with their key row share-locked): the
   * entry is durable exactly when the change it records is, with no commit of its own.
   */
  public void readIn(
      Handle h, String subjectId, String caller, String purpose, List<String> fields) {
    long at = clock.millis();
    h.createUpdate(
            "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields)"
                + " VALUES (:id, :s, :t, :c, :p, :f)")
        .bind("id", rowId(at, ThreadLocalRandom.current()))
        .bind("s", subjectId)
        .bind("t", at)
        .bind("c", caller)
        .bind("p", purpose)
        .bind("f", String.join(",", fields))
        .execute();
  }

  /**
   * Records that each of {@code subjectIds} was shown once, counted into today's entry of each;
   * returns once the counts are durable.
   */
  public void shown(
      Collection<String> subjectIds, String caller, String purpose, List<String> fields) {
    if (!subjectIds.isEmpty()) {
      commits.commit(
          new Shown(
              List.copyOf(subjectIds), caller, purpose, String.join(",", fields), clock.millis()));
    }
  }

  private void write(Handle h, List<Pending> group) {
    Set<String> subjects = new HashSet<>();
    for (Pending p : group) {
      if (p instanceof Single s) {
        subjects.add(s.subjectId());
      } else if (p instanceof Shown s) {
        subjects.addAll(s.subjectIds());
      }
    }
    Set<String> present = present(h, subjects);
    Map<DayKey, Count> counts = new LinkedHashMap<>();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    // Plain JDBC: a group holds thousands of rows at high read rates.
    try (PreparedStatement insert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
      int rows = 0;
      for (Pending p : group) {
        if (p instanceof Single s && present.contains(s.subjectId())) {
          insert.setString(1, rowId(s.at(), random));
          insert.setString(2, s.subjectId());
          insert.setLong(3, s.at());
          insert.setString(4, s.caller());
          insert.setString(5, s.purpose());
          insert.setString(6, s.fields());
          insert.addBatch();
          rows++;
        } else if (p instanceof Shown s) {
          for (String subject : s.subjectIds()) {
            if (present.contains(subject)) {
              Count c =
                  counts.computeIfAbsent(
                      new DayKey(
                          subject,
                          Math.floorDiv(s.at(), DAY_MILLIS),
                          s.caller(),
                          s.purpose(),
                          s.fields()),
                      k -> new Count());
              c.reads++;
              c.first = Math.min(c.first, s.at());
              c.last = Math.max(c.last, s.at());
            }
          }
        }
      }
      if (rows > 0) {
        insert.executeBatch();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("access log group failed", e);
    }
    if (!counts.isEmpty()) {
      upsertCounts(h, counts);
    }
  }

  /**
   * A row id, not a secret (so no secure generator), laid out as a version 7 UUID (RFC 9562): the
   * milliseconds first, so new ids land at the end of the primary-key index rather than on a random
   * page of it, which every group commit would otherwise rewrite.
   */
  static String rowId(long atMillis, ThreadLocalRandom random) {
    long high = (atMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  private static void upsertCounts(Handle h, Map<DayKey, Count> counts) {
    try (PreparedStatement upsert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO access_log_daily"
                    + " (subject_id, day, caller, purpose, fields, reads, first_at, last_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (subject_id, day, caller, purpose, fields) DO UPDATE SET"
                    + " reads = access_log_daily.reads + excluded.reads,"
                    + " last_at = CASE WHEN excluded.last_at > access_log_daily.last_at"
                    + " THEN excluded.last_at ELSE access_log_daily.last_at END")) {
      for (Map.Entry<DayKey, Count> e : counts.entrySet()) {
        DayKey k = e.getKey();
        upsert.setString(1, k.subjectId());
        upsert.setLong(2, k.day());
        upsert.setString(3, k.caller());
        upsert.setString(4, k.purpose());
        upsert.setString(5, k.fields());
        upsert.setLong(6, e.getValue().reads);
        upsert.setLong(7, e.getValue().first);
        upsert.setLong(8, e.getValue().last);
        upsert.addBatch();
      }
      upsert.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("access log counts failed", e);
    }
  }

  /**
   * Those of {@code subjects} who still exist: on PostgreSQL share-locked until the commit (an
   * erasure waits for it, or this waits for the erasure); on SQLite this transaction holds the
   * database's one write lock, which an erasure needs too, so point lookups with one prepared
   * statement suffice (cheaper than a statement with hundreds of parameters, compiled afresh).
   */
  private Set<String> present(Handle h, Set<String> subjects) {
    Set<String> present = new HashSet<>();
    if (db.dialect() == Database.Dialect.SQLITE) {
      try (PreparedStatement exists =
          h.getConnection().prepareStatement("SELECT 1 FROM subject_keys WHERE subject_id = ?")) {
        for (String subject : subjects) {
          exists.setString(1, subject);
          try (ResultSet rs = exists.executeQuery()) {
            if (rs.next()) {
              present.add(subject);
            }
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("access log group failed", e);
      }
      return present;
    }
    List<String> all = new ArrayList<>(subjects);
    all.sort(Comparator.naturalOrder()); // one lock order for every writer
    for (int i = 0; i < all.size(); i += 500) {
      present.addAll(
          h.createQuery(
                  "SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)"
                      + " ORDER BY subject_id FOR SHARE")
              .bindList("s", all.subList(i, Math.min(all.size(), i + 500)))
              .mapTo(String.class)
              .list());
    }
    return present;
  }

  /** Stops the writer; reads still waiting are answered 503. */
  @Override
  public void close() {
    commits.close();
  }

  /** The person's entries, oldest first (a counted entry by the time of its last read). */
  public List<Entry> entries(String subjectId) {
    List<Entry> out = new ArrayList<>();
    db.withHandle(
        h -> {
          out.addAll(
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
                              fields(rs.getString(4)),
                              1,
                              Optional.empty()))
                  .list());
          out.addAll(
              h.createQuery(
                      "SELECT last_at, caller, purpose, fields, reads, day FROM access_log_daily"
                          + " WHERE subject_id = :s")
                  .bind("s", subjectId)
                  .map(
                      (rs, ctx) ->
                          new Entry(
                              Instant.ofEpochMilli(rs.getLong(1)),
                              rs.getString(2),
                              rs.getString(3),
                              fields(rs.getString(4)),
                              rs.getLong(5),
                              Optional.of(LocalDate.ofEpochDay(rs.getLong(6)))))
                  .list());
          return null;
        });
    out.sort(Comparator.comparing(Entry::at));
    return out;
  }

  private static List<String> fields(String joined) {
    return joined.isEmpty() ? List.of() : Arrays.asList(joined.split(","));
  }

  /** Deletes the person's entries inside the erasure's transaction. */
  public int erase(Handle h, String subjectId) {
    int rows =
        h.createUpdate("DELETE FROM access_log WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    return rows
        + h.createUpdate("DELETE FROM access_log_daily WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
  }

  public long subjectsWithEntries() {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT COUNT(*) FROM (SELECT subject_id FROM access_log"
                        + " UNION SELECT subject_id FROM access_log_daily) AS subjects")
                .mapTo(Long.class)
                .one());
  }
}
