package app.candor.bench;

import app.candor.usage.UsageAnalytics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The analytics questions asked of DuckDB over the raw events (a table of the columns of {@code
 * usage_events} the questions need, {@code ts} for the time), scanned at every query, and how their
 * answers are checked against Candor's.
 */
final class RawDuck {
  private static final long DAY = 86_400_000L;

  private RawDuck() {}

  /** Per date of [f, t]: {users in the window, DAU, MAU}. */
  static Map<Long, long[]> duckActive(Connection duck, long f, long t, int window)
      throws Exception {
    // Each active day a of a person keeps them counted in the windows ending on a .. a+w-1, up to
    // their next active day: disjoint intervals, so running sums of +1/-1 marks count people.
    String sql =
        "WITH pd AS (SELECT DISTINCT subject_id, ts // 86400000 AS day FROM events"
            + "   WHERE ts >= ? AND ts < ?),"
            + " iv AS (SELECT day, LEAD(day) OVER (PARTITION BY subject_id ORDER BY day) AS nxt"
            + "   FROM pd),"
            + " marks AS ("
            + "   SELECT day AS d, 1 AS u, 1 AS a, 1 AS m FROM iv"
            + "   UNION ALL SELECT LEAST(COALESCE(nxt, day + ?), day + ?), -1, 0, 0 FROM iv"
            + "   UNION ALL SELECT day + 1, 0, -1, 0 FROM iv"
            + "   UNION ALL SELECT LEAST(COALESCE(nxt, day + 30), day + 30), 0, 0, -1 FROM iv),"
            + " per AS (SELECT d, SUM(u) AS u, SUM(a) AS a, SUM(m) AS m FROM marks GROUP BY d),"
            + " run AS (SELECT d, SUM(u) OVER (ORDER BY d) AS u, SUM(a) OVER (ORDER BY d) AS a,"
            + "   SUM(m) OVER (ORDER BY d) AS m FROM per)"
            + " SELECT d, u, a, m FROM run WHERE d BETWEEN ? AND ? ORDER BY d";
    long reach = Math.max(window, 30);
    Map<Long, long[]> out = new LinkedHashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, (f - reach + 1) * DAY);
      ps.setLong(2, (t + 1) * DAY);
      ps.setLong(3, window);
      ps.setLong(4, window);
      ps.setLong(5, f);
      ps.setLong(6, t);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
        }
      }
    }
    return out;
  }

  /** The straightforward formulation (a range join and COUNT DISTINCT), for comparison. */
  static Map<Long, long[]> duckActiveNaive(Connection duck, long f, long t, int window)
      throws Exception {
    String sql =
        "WITH pd AS (SELECT DISTINCT subject_id, ts // 86400000 AS day FROM events"
            + "   WHERE ts >= ? AND ts < ?)"
            + " SELECT d.d, COUNT(DISTINCT subject_id) FILTER (WHERE day > d.d - ?),"
            + "   COUNT(DISTINCT subject_id) FILTER (WHERE day = d.d), COUNT(DISTINCT subject_id)"
            + " FROM range(?, ? + 1) d(d) JOIN pd ON pd.day BETWEEN d.d - 29 AND d.d"
            + " GROUP BY d.d ORDER BY d.d";
    Map<Long, long[]> out = new LinkedHashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, (f - 29) * DAY);
      ps.setLong(2, (t + 1) * DAY);
      ps.setLong(3, window);
      ps.setLong(4, f);
      ps.setLong(5, t);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4)});
        }
      }
    }
    return out;
  }

  static String agreeActive(UsageAnalytics.ActiveUsers c, Map<Long, long[]> d) {
    int checked = 0;
    for (UsageAnalytics.ActivePoint p : c.points()) {
      long[] row = d.get(LocalDate.parse(p.date()).toEpochDay());
      if (row == null) {
        return "DIFFER: DuckDB has no row for " + p.date();
      }
      if (p.users() != null && p.users() != row[0]) {
        return "DIFFER on " + p.date() + ": " + p.users() + " vs " + row[0];
      }
      if (p.stickiness() != null
          && Math.abs(p.stickiness() - Math.round(10_000.0 * row[1] / row[2]) / 10_000.0) > 1e-9) {
        return "DIFFER (stickiness) on " + p.date();
      }
      checked++;
    }
    return "same answers (" + checked + " dates)";
  }

  /** (cohort week, week) to people, for cohorts in [first week starting >= from, to's week]. */
  static Map<List<Long>, Long> duckRetention(Connection duck, long from, long to, long current)
      throws Exception {
    long firstCohort = Math.floorDiv(from + 3 + 6, 7);
    long lastCohort = Math.min(UsageAnalytics.week(to), current);
    String sql =
        "WITH pw AS (SELECT DISTINCT subject_id, (ts // 86400000 + 3) // 7 AS week FROM events),"
            + " c AS (SELECT subject_id, MIN(week) AS cohort FROM pw GROUP BY subject_id)"
            + " SELECT cohort, week, COUNT(*) FROM pw JOIN c USING (subject_id)"
            + " WHERE cohort BETWEEN ? AND ? AND week <= cohort + ? AND week <= ?"
            + " GROUP BY cohort, week ORDER BY cohort, week";
    Map<List<Long>, Long> out = new LinkedHashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, firstCohort);
      ps.setLong(2, lastCohort);
      ps.setLong(3, UsageAnalytics.MAX_RETENTION_WEEKS);
      ps.setLong(4, current);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(List.of(rs.getLong(1), rs.getLong(2)), rs.getLong(3));
        }
      }
    }
    return out;
  }

  static String agreeRetention(UsageAnalytics.Retention c, Map<List<Long>, Long> d) {
    int cells = 0;
    for (UsageAnalytics.Cohort cohort : c.cohorts()) {
      long week = UsageAnalytics.week(LocalDate.parse(cohort.start()).toEpochDay());
      for (int k = 0; k < cohort.retained().size(); k++) {
        Long mine = cohort.retained().get(k);
        long theirs = d.getOrDefault(List.of(week, week + k), 0L);
        if (mine != null && mine != theirs) {
          return "DIFFER at cohort "
              + cohort.start()
              + " week "
              + k
              + ": "
              + mine
              + " vs "
              + theirs;
        }
        if (mine == null && theirs >= UsageAnalytics.K) {
          return "DIFFER at cohort " + cohort.start() + " week " + k + ": suppressed vs " + theirs;
        }
        cells++;
      }
    }
    return "same answers (" + c.cohorts().size() + " cohorts, " + cells + " cells)";
  }

  /** {sessions started in range, median s, p90 s, people active in range}. */
  static long[] duckSessions(Connection duck, long f, long t) throws Exception {
    // Sessions by 30 minutes of inactivity; those starting in the range can begin no earlier
    // than a day before it (a session lasts at most 24 hours). One window pass marks each event
    // that starts or ends a session; a second, over those marks only, pairs starts with ends.
    String sql =
        "WITH e AS (SELECT subject_id, ts,"
            + "   COALESCE(ts - LAG(ts) OVER w > 1800000, true) AS is_first,"
            + "   COALESCE(LEAD(ts) OVER w - ts > 1800000, true) AS is_last"
            + "   FROM events WHERE ts >= ? AND ts < ?"
            + "   WINDOW w AS (PARTITION BY subject_id ORDER BY ts)),"
            + " b AS (SELECT is_first, ts AS st, CASE WHEN is_last THEN ts"
            + "   ELSE LEAD(ts) OVER (PARTITION BY subject_id ORDER BY ts) END AS en"
            + "   FROM e WHERE is_first OR is_last),"
            + " ss AS (SELECT st, en FROM b WHERE is_first AND st >= ? AND st < ?)"
            + " SELECT COUNT(*), quantile_disc((en - st) // 1000, 0.5),"
            + "   quantile_disc((en - st) // 1000, 0.9),"
            + "   (SELECT COUNT(DISTINCT subject_id) FROM events WHERE ts >= ? AND ts < ?)"
            + " FROM ss";
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, (f - 1) * DAY);
      ps.setLong(2, (t + 2) * DAY);
      ps.setLong(3, f * DAY);
      ps.setLong(4, (t + 1) * DAY);
      ps.setLong(5, f * DAY);
      ps.setLong(6, (t + 1) * DAY);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
      }
    }
  }

  static String agreeSessions(UsageAnalytics.Sessions c, long[] d) {
    if (!Objects.equals(c.count(), d[0])) {
      return "DIFFER: " + c.count() + " vs " + d[0] + " sessions";
    }
    double perPerson = Math.round(100.0 * d[0] / d[3]) / 100.0;
    if (c.sessionsPerPerson() == null || Math.abs(c.sessionsPerPerson() - perPerson) > 1e-9) {
      return "DIFFER: " + c.sessionsPerPerson() + " vs " + perPerson + " sessions per person";
    }
    return String.format(
        "same count and per person; median %d s vs exact %d s, p90 %d s vs exact %d s (5%%"
            + " buckets)",
        c.medianSeconds(), d[1], c.p90Seconds(), d[2]);
  }

  /** name to {uses, people}, and (name, day) to uses, most used first. */
  record DuckFeatures(Map<String, long[]> totals, Map<String, Map<Long, Long>> daily) {}

  static DuckFeatures duckFeatures(Connection duck, long f, long t, int limit) throws Exception {
    String sql =
        "WITH fe AS (SELECT name, subject_id, ts // 86400000 AS day FROM events"
            + "   WHERE type IN ('track', 'screen') AND ts >= ? AND ts < ?),"
            + " top AS (SELECT name, COUNT(*) AS uses, COUNT(DISTINCT subject_id) AS people"
            + "   FROM fe GROUP BY name ORDER BY uses DESC, name LIMIT ?),"
            + " daily AS (SELECT name, day, COUNT(*) AS uses FROM fe"
            + "   WHERE name IN (SELECT name FROM top) GROUP BY name, day)"
            + " SELECT top.name, top.uses, top.people, daily.day, daily.uses"
            + " FROM top JOIN daily USING (name) ORDER BY top.uses DESC, top.name, daily.day";
    Map<String, long[]> totals = new LinkedHashMap<>();
    Map<String, Map<Long, Long>> daily = new HashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, f * DAY);
      ps.setLong(2, (t + 1) * DAY);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          totals.putIfAbsent(name, new long[] {rs.getLong(2), rs.getLong(3)});
          daily.computeIfAbsent(name, n -> new HashMap<>()).put(rs.getLong(4), rs.getLong(5));
        }
      }
    }
    return new DuckFeatures(totals, daily);
  }

  static String agreeFeatures(UsageAnalytics.Features c, DuckFeatures d) {
    List<String> names = new ArrayList<>(d.totals().keySet());
    if (c.features().size() != names.size()) {
      return "DIFFER: " + c.features().size() + " vs " + names.size() + " features";
    }
    for (int i = 0; i < names.size(); i++) {
      UsageAnalytics.FeatureUsage fu = c.features().get(i);
      long[] tot = d.totals().get(names.get(i));
      if (!fu.name().equals(names.get(i))
          || !Objects.equals(fu.uses(), tot[0])
          || !Objects.equals(fu.people(), tot[1])) {
        return "DIFFER at rank " + (i + 1) + ": " + fu.name() + " vs " + names.get(i);
      }
      for (UsageAnalytics.DailyUses du : fu.daily()) {
        long theirs =
            d.daily().get(fu.name()).getOrDefault(LocalDate.parse(du.date()).toEpochDay(), 0L);
        if (du.uses() != null && du.uses() != theirs) {
          return "DIFFER: " + fu.name() + " on " + du.date();
        }
      }
    }
    return "same answers (" + names.size() + " features with daily uses)";
  }

  /** Times the straightforward DuckDB formulation of DAU/WAU/MAU, for the record. */
  static double naiveMedianMs(Connection duck, long f, long t, int window, int runs)
      throws Exception {
    duckActiveNaive(duck, f, t, window);
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long s = System.nanoTime();
      duckActiveNaive(duck, f, t, window);
      ms[i] = (System.nanoTime() - s) / 1e6;
    }
    return BenchUtil.median(ms);
  }
}
