package app.candor.usage;

import app.candor.core.store.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Writes a group of events in one transaction: the raw rows (duplicates ignored), their sessions,
 * and every rollup, so analytics never scan raw events. Runs on the single writer thread.
 */
final class UsageWriter {
  static final String ANY = "*";
  private static final int CHUNK = 500;

  private final Database db;
  private final Sessions sessions;
  private final java.time.Clock clock;
  // (person, feature, day) rows known to exist: repeated activity needs no database read.
  private final Set<Triple> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final int KNOWN_MAX = 1_000_000;

  UsageWriter(Database db, Sessions sessions, java.time.Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Per event: 1 stored, 0 duplicate, -1 the person is gone (erased meanwhile). */
  int[] write(List<UsageEvent> events) {
    try {
      return db.inTransaction(h -> writeIn(h, events));
    } catch (RuntimeException e) {
      // In-memory state may hold changes that were rolled back.
      sessions.clear();
      known.clear();
      throw e;
    }
  }

  /** Forgets what is cached about a person (erasure). */
  void forget(String subject) {
    known.removeIf(t -> t.subject().equals(subject));
  }

  /** Forgets everything cached (retention purge). */
  void forgetAll() {
    known.clear();
  }

  private void remember(Triple t) {
    if (known.size() >= KNOWN_MAX) {
      known.clear();
    }
    known.add(t);
  }

  private int[] writeIn(Handle h, List<UsageEvent> events) {
    int[] outcome = new int[events.size()];
    Set<String> present = present(h, events);
    long now = clock.millis();
    List<Integer> positions = new ArrayList<>();
    List<UsageEvent> stored = new ArrayList<>();
    // Plain JDBC on the hot path: one prepared statement, batched, no per-row binding objects.
    try (PreparedStatement insert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO usage_events (subject_id, message_id, at, type, name, service,"
                    + " received_at, detail_ct) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (subject_id, message_id) DO NOTHING")) {
      for (int i = 0; i < events.size(); i++) {
        UsageEvent e = events.get(i);
        if (!present.contains(e.subjectId())) {
          outcome[i] = -1;
          continue;
        }
        insert.setString(1, e.subjectId());
        insert.setString(2, e.messageId());
        insert.setLong(3, e.at());
        insert.setString(4, e.type());
        insert.setString(5, e.name());
        insert.setString(6, e.service());
        insert.setLong(7, now);
        insert.setString(8, e.detailCiphertext());
        insert.addBatch();
        positions.add(i);
      }
      if (!positions.isEmpty()) {
        int[] counts = insert.executeBatch();
        for (int k = 0; k < counts.length; k++) {
          int i = positions.get(k);
          outcome[i] = counts[k] > 0 ? 1 : 0;
          if (outcome[i] == 1) {
            stored.add(events.get(i));
          }
        }
      }
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    if (!stored.isEmpty()) {
      rollups(h, stored);
    }
    return outcome;
  }

  /** The people of {@code events} who still exist; on PostgreSQL, locked against erasure. */
  private Set<String> present(Handle h, List<UsageEvent> events) {
    List<String> subjects =
        new ArrayList<>(new HashSet<>(events.stream().map(UsageEvent::subjectId).toList()));
    Set<String> out = new HashSet<>();
    String lock = db.dialect() == Database.Dialect.POSTGRESQL ? " FOR SHARE" : "";
    for (int i = 0; i < subjects.size(); i += CHUNK) {
      out.addAll(
          h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)" + lock)
              .bindList("s", subjects.subList(i, Math.min(subjects.size(), i + CHUNK)))
              .mapTo(String.class)
              .list());
    }
    return out;
  }

  private void rollups(Handle h, List<UsageEvent> stored) {
    stored.sort(Comparator.comparing(UsageEvent::subjectId).thenComparingLong(UsageEvent::at));
    Deltas deltas = new Deltas();
    Map<String, Sessions.Session> touched = new LinkedHashMap<>();
    // (subject, feature, day) -> uses in this write.
    Map<Triple, Long> triples = new java.util.HashMap<>();
    for (int i = 0, j; i < stored.size(); i = j) {
      String subject = stored.get(i).subjectId();
      for (j = i + 1; j < stored.size() && stored.get(j).subjectId().equals(subject); j++) {}
      sessions.assign(h, stored.subList(i, j), touched, deltas);
    }
    for (UsageEvent e : stored) {
      long day = e.day();
      triples.merge(new Triple(e.subjectId(), ANY, day), 1L, Long::sum);
      if (e.isFeatureUse()) {
        triples.merge(new Triple(e.subjectId(), e.name(), day), 1L, Long::sum);
      }
    }
    List<Map.Entry<Triple, Long>> entries = new ArrayList<>(triples.entrySet());
    entries.sort(Map.Entry.comparingByKey());
    for (Map.Entry<Triple, Long> entry : entries) {
      Triple t = entry.getKey();
      deltas.featureDay(t.feature(), t.day(), entry.getValue());
      if (known.contains(t)) {
        continue;
      }
      boolean exists =
          h.createQuery(
                  "SELECT 1 FROM usage_person_days WHERE subject_id = :s AND feature = :f"
                      + " AND day = :d")
              .bind("s", t.subject())
              .bind("f", t.feature())
              .bind("d", t.day())
              .mapTo(Integer.class)
              .findOne()
              .isPresent();
      if (!exists) {
        newDay(h, t, deltas);
      }
      remember(t);
    }
    Sessions.flush(h, touched.values(), deltas);
    deltas.apply(h);
  }

  /** The person's first activity of this feature on this day: maintain the distinct-people grid. */
  private static void newDay(Handle h, Triple t, Deltas deltas) {
    long d = t.day();
    long p =
        h.createQuery(
                "SELECT MAX(day) FROM usage_person_days WHERE subject_id = :s AND feature = :f"
                    + " AND day < :d")
            .bind("s", t.subject())
            .bind("f", t.feature())
            .bind("d", d)
            .mapTo(Long.class)
            .findOne()
            .orElse(-1L);
    Long n =
        h.createQuery(
                "SELECT MIN(day) FROM usage_person_days WHERE subject_id = :s AND feature = :f"
                    + " AND day > :d")
            .bind("s", t.subject())
            .bind("f", t.feature())
            .bind("d", d)
            .mapTo(Long.class)
            .findOne()
            .orElse(null);
    if (n != null) {
      deltas.gap(t.feature(), n, p, -1);
      deltas.gap(t.feature(), n, d, 1);
    }
    deltas.gap(t.feature(), d, p, 1);
    if (ANY.equals(t.feature())) {
      cohorts(h, t.subject(), d, p, n, deltas);
    }
    h.createUpdate("INSERT INTO usage_person_days (subject_id, feature, day) VALUES (:s, :f, :d)")
        .bind("s", t.subject())
        .bind("f", t.feature())
        .bind("d", d)
        .execute();
  }

  /**
   * A new active day may open a new week for the person, or move their first week (their cohort)
   * earlier; in the second case their whole row of the retention matrix moves.
   */
  private static void cohorts(Handle h, String subject, long d, long p, Long n, Deltas deltas) {
    long week = Deltas.week(d);
    boolean newWeek = (p < 0 || Deltas.week(p) != week) && (n == null || Deltas.week(n) != week);
    if (p >= 0) {
      if (newWeek) {
        long first =
            h.createQuery(
                    "SELECT MIN(day) FROM usage_person_days WHERE subject_id = :s AND feature = '*'")
                .bind("s", subject)
                .mapTo(Long.class)
                .one();
        deltas.cohort(Deltas.week(first), week, 1);
      }
      return;
    }
    // The earliest day so far: the cohort is this week now.
    if (n != null) {
      Set<Long> weeks = activeWeeks(h, subject);
      long oldCohort = Deltas.week(n);
      for (long w : weeks) {
        deltas.cohort(oldCohort, w, -1);
        deltas.cohort(week, w, 1);
      }
      if (!weeks.contains(week)) {
        deltas.cohort(week, week, 1);
      }
    } else {
      deltas.cohort(week, week, 1);
    }
  }

  static Set<Long> activeWeeks(Handle h, String subject) {
    Set<Long> weeks = new java.util.TreeSet<>();
    h.createQuery("SELECT day FROM usage_person_days WHERE subject_id = :s AND feature = '*'")
        .bind("s", subject)
        .mapTo(Long.class)
        .forEach(day -> weeks.add(Deltas.week(day)));
    return weeks;
  }

  /** A database failure on the hot path, unchecked like Jdbi's own. */
  static final class StoreFailure extends RuntimeException {
    StoreFailure(SQLException cause) {
      super(cause);
    }
  }

  /** A (person, feature, day) key. */
  record Triple(String subject, String feature, long day) implements Comparable<Triple> {
    @Override
    public int compareTo(Triple o) {
      int c = subject.compareTo(o.subject);
      if (c != 0) return c;
      c = feature.compareTo(o.feature);
      if (c != 0) return c;
      return Long.compare(day, o.day);
    }
  }
}
