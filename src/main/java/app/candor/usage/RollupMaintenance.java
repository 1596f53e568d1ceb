package app.candor.usage;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * Keeps the rollups of the events a roll-up slice covers: sessions (through {@link Sessions}), the
 * person-days, the distinct-people grid ({@code usage_gaps}), the cohorts and the feature-days, all
 * as {@link Deltas} applied in the slice's transaction. A person's rows are touched once per slice,
 * not once per event; the (person, feature, day) rows known to exist are remembered, so repeated
 * activity needs no database read.
 */
final class RollupMaintenance {
  /** The feature name that stands for any activity in the rollups. */
  static final String ANY = "*";

  private static final int KNOWN_MAX = 1_000_000;
  private static final Comparator<UsageEvent> BY_TIME = Comparator.comparingLong(UsageEvent::at);

  private final Sessions sessions;
  // (person, feature, day) rows known to exist: repeated activity needs no database read.
  private final Set<Triple> known = ConcurrentHashMap.newKeySet();

  RollupMaintenance(Sessions sessions) {
    this.sessions = sessions;
  }

  /**
   * Forgets all in-memory state (sessions under way, rows known to exist): after a failed slice,
   * whose changes were rolled back, and before recovery.
   */
  void reset() {
    sessions.clear();
    known.clear();
  }

  /** Forgets what is remembered about a person (erasure). */
  void forget(String subject) {
    known.removeIf(t -> t.subject().equals(subject));
  }

  /** Forgets the rows known to exist (retention purge). */
  void forgetAll() {
    known.clear();
  }

  private void remember(Triple t) {
    if (known.size() >= KNOWN_MAX) {
      known.clear();
    }
    known.add(t);
  }

  /**
   * Brings every rollup up to date with {@code stored}, a slice of events grouped by person (each
   * person's events in log order), inside the slice's transaction.
   */
  void apply(Handle h, List<UsageEvent> stored) {
    // The events come grouped by person (RollUp.start); each person's go in time order.
    Deltas deltas = new Deltas();
    Map<String, Sessions.Session> touched = new LinkedHashMap<>();
    // (subject, feature, day) -> uses in this write.
    Map<Triple, Long> triples = new java.util.HashMap<>();
    for (int i = 0, j; i < stored.size(); i = j) {
      String subject = stored.get(i).subjectId();
      for (j = i + 1; j < stored.size() && stored.get(j).subjectId().equals(subject); j++) {}
      List<UsageEvent> mine = stored.subList(i, j);
      mine.sort(BY_TIME);
      sessions.assign(h, mine, touched, deltas);
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
    try (PersonDays days = new PersonDays(h)) {
      for (Map.Entry<Triple, Long> entry : entries) {
        Triple t = entry.getKey();
        deltas.featureDay(t.feature(), t.day(), entry.getValue());
        if (known.contains(t)) {
          continue;
        }
        if (!days.exists(t)) {
          newDay(h, days, t, deltas);
        }
        remember(t);
      }
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    Sessions.flush(h, touched.values(), deltas);
    deltas.apply(h);
  }

  /** The person-day statements of one roll-up slice, prepared once (plain JDBC, hot path). */
  private static final class PersonDays implements AutoCloseable {
    private final PreparedStatement exists;
    private final PreparedStatement before;
    private final PreparedStatement after;
    private final PreparedStatement insert;

    PersonDays(Handle h) throws SQLException {
      var c = h.getConnection();
      String where = " FROM usage_person_days WHERE subject_id = ? AND feature = ? AND day ";
      exists = c.prepareStatement("SELECT 1" + where + "= ?");
      before = c.prepareStatement("SELECT MAX(day)" + where + "< ?");
      after = c.prepareStatement("SELECT MIN(day)" + where + "> ?");
      insert =
          c.prepareStatement(
              "INSERT INTO usage_person_days (subject_id, feature, day) VALUES (?, ?, ?)");
    }

    private static java.sql.ResultSet run(PreparedStatement st, Triple t) throws SQLException {
      st.setString(1, t.subject());
      st.setString(2, t.feature());
      st.setLong(3, t.day());
      return st.executeQuery();
    }

    boolean exists(Triple t) throws SQLException {
      try (var rs = run(exists, t)) {
        return rs.next();
      }
    }

    /** The person's active day of the feature just before t's, or -1. */
    long previous(Triple t) throws SQLException {
      try (var rs = run(before, t)) {
        rs.next(); // an aggregate: always one row, NULL when there is no such day
        long d = rs.getLong(1);
        return rs.wasNull() ? -1 : d;
      }
    }

    /** The person's active day of the feature just after t's, or null. */
    @org.jspecify.annotations.Nullable
    Long next(Triple t) throws SQLException {
      try (var rs = run(after, t)) {
        rs.next();
        long d = rs.getLong(1);
        return rs.wasNull() ? null : d;
      }
    }

    void insert(Triple t) throws SQLException {
      insert.setString(1, t.subject());
      insert.setString(2, t.feature());
      insert.setLong(3, t.day());
      insert.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
      exists.close();
      before.close();
      after.close();
      insert.close();
    }
  }

  /** The person's first activity of this feature on this day: maintain the distinct-people grid. */
  private static void newDay(Handle h, PersonDays days, Triple t, Deltas deltas)
      throws SQLException {
    long d = t.day();
    long p = days.previous(t);
    Long n = days.next(t);
    if (n != null) {
      deltas.gap(t.feature(), n, p, -1);
      deltas.gap(t.feature(), n, d, 1);
    }
    deltas.gap(t.feature(), d, p, 1);
    if (ANY.equals(t.feature())) {
      cohorts(h, t.subject(), d, p, n, deltas);
    }
    days.insert(t);
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

  private static Set<Long> activeWeeks(Handle h, String subject) {
    Set<Long> weeks = new java.util.TreeSet<>();
    h.createQuery("SELECT day FROM usage_person_days WHERE subject_id = :s AND feature = '*'")
        .bind("s", subject)
        .mapTo(Long.class)
        .forEach(day -> weeks.add(Deltas.week(day)));
    return weeks;
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
