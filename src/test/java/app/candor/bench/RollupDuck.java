package app.candor.bench;

import app.candor.Candor;
import app.candor.usage.UsageAnalytics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The analytics questions answered by DuckDB over the same rollup tables Candor keeps: the four
 * tables {@link UsageAnalytics} reads are copied, rows as they are, from Candor's database into a
 * DuckDB file with the same columns and keys, and each question is one DuckDB query over them. The
 * answers are built as {@link UsageAnalytics}'s own records, with its suppression and rounding, so
 * that they can be compared with Candor's by {@code equals}.
 */
final class RollupDuck {
  private static final int K = UsageAnalytics.K;

  /** A rollup table the questions read: its columns and primary key, as in V4. */
  private record Table(String name, List<String> columns, String key) {
    String type(String column) {
      return switch (column) {
        case "feature" -> "VARCHAR";
        case "people", "uses", "sessions" -> "BIGINT";
        default -> "INTEGER";
      };
    }

    String ddl() {
      StringBuilder sb = new StringBuilder("CREATE TABLE " + name + " (");
      columns.forEach(c -> sb.append(c).append(' ').append(type(c)).append(" NOT NULL, "));
      return sb.append("PRIMARY KEY (").append(key).append("))").toString();
    }
  }

  static final List<Table> TABLES =
      List.of(
          new Table(
              "usage_gaps",
              List.of("feature", "day", "prev_day", "people"),
              "feature, day, prev_day"),
          new Table("usage_feature_days", List.of("feature", "day", "uses"), "feature, day"),
          new Table("usage_session_hist", List.of("day", "bucket", "sessions"), "day, bucket"),
          new Table(
              "usage_cohorts", List.of("cohort_week", "week", "people"), "cohort_week, week"));

  private final Connection duck;

  RollupDuck(Connection duck) {
    this.duck = duck;
  }

  /** Copies the rollup tables from Candor's database; the rows copied. */
  long copyFrom(Candor candor) throws Exception {
    long rows = 0;
    for (Table t : TABLES) {
      try (Statement st = duck.createStatement()) {
        st.execute(t.ddl());
      }
      try (DuckDBAppender app =
          ((DuckDBConnection) duck).createAppender(DuckDBConnection.DEFAULT_SCHEMA, t.name())) {
        rows +=
            candor
                .database()
                .withHandle(
                    h ->
                        h.createQuery(
                                "SELECT " + String.join(", ", t.columns()) + " FROM " + t.name())
                            .map(
                                (rs, ctx) -> {
                                  app.beginRow();
                                  for (int i = 1; i <= t.columns().size(); i++) {
                                    switch (t.type(t.columns().get(i - 1))) {
                                      case "VARCHAR" -> app.append(rs.getString(i));
                                      case "BIGINT" -> app.append(rs.getLong(i));
                                      default -> app.append(rs.getInt(i));
                                    }
                                  }
                                  app.endRow();
                                  return 1;
                                })
                            .list()
                            .size());
      }
    }
    try (Statement st = duck.createStatement()) {
      st.execute("CHECKPOINT");
    }
    return rows;
  }

  /**
   * Each question asked of Candor and of DuckDB over the copied rollups, timed back to back as
   * {@link AnalyticsBench} times them; the answers must be equal, record for record.
   */
  List<AnalyticsBench.Timing> compare(
      UsageAnalytics analytics, LocalDate from, LocalDate to, int runs) throws Exception {
    List<AnalyticsBench.Timing> out = new ArrayList<>();
    for (UsageAnalytics.Window w : UsageAnalytics.Window.values()) {
      out.add(
          AnalyticsBench.compare(
              w.id() + " active users (+ DAU/MAU) for each of 90 days",
              runs,
              () -> analytics.activeUsers(from, to, w),
              () -> activeUsers(from, to, w),
              RollupDuck::same));
    }
    LocalDate retentionFrom = to.minusWeeks(12);
    LocalDate today = analytics.today();
    out.add(
        AnalyticsBench.compare(
            "retention matrix, weekly cohorts of 12 weeks",
            runs,
            () -> analytics.retention(retentionFrom, to),
            () -> retention(retentionFrom, to, today),
            RollupDuck::same));
    out.add(
        AnalyticsBench.compare(
            "sessions (count, median, p90, per person) over 90 days",
            runs,
            () -> analytics.sessions(from, to),
            () -> sessions(from, to),
            RollupDuck::same));
    out.add(
        AnalyticsBench.compare(
            "top 10 features with people and daily uses, 90 days",
            runs,
            () -> analytics.features(from, to, 10),
            () -> features(from, to, 10),
            RollupDuck::same));
    return out;
  }

  private static String same(Object candor, Object duck) {
    return candor.equals(duck) ? "equal answers" : "DIFFER: " + candor + " vs " + duck;
  }

  /** As {@link UsageAnalytics#activeUsers}. */
  UsageAnalytics.ActiveUsers activeUsers(LocalDate from, LocalDate to, UsageAnalytics.Window w)
      throws Exception {
    // The people of [a, b] are the rows of a day in [a, b] with prev_day < a (one per person).
    String sql =
        "SELECT d.d,"
            + " COALESCE(SUM(g.people) FILTER (WHERE g.day > d.d - ? AND g.prev_day <= d.d - ?), 0),"
            + " COALESCE(SUM(g.people) FILTER (WHERE g.day = d.d), 0),"
            + " COALESCE(SUM(g.people) FILTER (WHERE g.day > d.d - 30 AND g.prev_day <= d.d - 30), 0)"
            + " FROM range(?, ? + 1) d(d) LEFT JOIN usage_gaps g"
            + " ON g.feature = '*' AND g.day BETWEEN d.d - ? + 1 AND d.d"
            + " GROUP BY d.d ORDER BY d.d";
    List<UsageAnalytics.ActivePoint> points = new ArrayList<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, w.days());
      ps.setLong(2, w.days());
      ps.setLong(3, from.toEpochDay());
      ps.setLong(4, to.toEpochDay());
      ps.setLong(5, Math.max(w.days(), 30));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long users = rs.getLong(2);
          long dau = rs.getLong(3);
          long mau = rs.getLong(4);
          Long shown = users >= K ? users : null;
          Double stickiness = dau >= K && mau > 0 ? round((double) dau / mau, 4) : null;
          points.add(
              new UsageAnalytics.ActivePoint(
                  LocalDate.ofEpochDay(rs.getLong(1)).toString(),
                  shown,
                  stickiness,
                  shown == null || stickiness == null));
        }
      }
    }
    return new UsageAnalytics.ActiveUsers(w.id(), points);
  }

  /** As {@link UsageAnalytics#sessions}. */
  UsageAnalytics.Sessions sessions(LocalDate from, LocalDate to) throws Exception {
    String sql =
        "WITH h AS (SELECT bucket, SUM(sessions) AS n FROM usage_session_hist"
            + "   WHERE day BETWEEN ? AND ? GROUP BY bucket HAVING SUM(sessions) > 0),"
            + " c AS (SELECT bucket, SUM(n) OVER (ORDER BY bucket) AS cum,"
            + "   SUM(n) OVER () AS total FROM h)"
            + " SELECT (SELECT COALESCE(MAX(total), 0) FROM c),"
            + " (SELECT MIN(bucket) FROM c WHERE cum >= GREATEST(1, CEIL(0.5::DOUBLE * total))),"
            + " (SELECT MIN(bucket) FROM c WHERE cum >= GREATEST(1, CEIL(0.9::DOUBLE * total))),"
            + " (SELECT COALESCE(SUM(people), 0) FROM usage_gaps WHERE feature = '*'"
            + "   AND day BETWEEN ? AND ? AND prev_day < ?)";
    long first = from.toEpochDay();
    long last = to.toEpochDay();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, first);
      ps.setLong(2, last);
      ps.setLong(3, first);
      ps.setLong(4, last);
      ps.setLong(5, first);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long count = rs.getLong(1);
        long people = rs.getLong(4);
        if (people < K) {
          return new UsageAnalytics.Sessions(null, null, null, null, true);
        }
        Long median = count == 0 ? null : UsageAnalytics.bucketSeconds(rs.getInt(2));
        Long p90 = count == 0 ? null : UsageAnalytics.bucketSeconds(rs.getInt(3));
        return new UsageAnalytics.Sessions(
            count, median, p90, round((double) count / people, 2), false);
      }
    }
  }

  /** As {@link UsageAnalytics#features}. */
  UsageAnalytics.Features features(LocalDate from, LocalDate to, int limit) throws Exception {
    String sql =
        "WITH u AS (SELECT feature, SUM(uses) AS uses FROM usage_feature_days"
            + "   WHERE day BETWEEN ? AND ? AND feature <> '*' GROUP BY feature"
            + "   HAVING SUM(uses) > 0),"
            + " p AS (SELECT feature, SUM(people) AS people FROM usage_gaps"
            + "   WHERE day BETWEEN ? AND ? AND prev_day < ? GROUP BY feature),"
            + " top AS (SELECT u.feature, u.uses, p.people FROM u JOIN p USING (feature)"
            + "   WHERE p.people >= ? ORDER BY u.uses DESC, u.feature LIMIT ?),"
            + " du AS (SELECT feature, day, SUM(uses) AS uses FROM usage_feature_days"
            + "   WHERE feature IN (SELECT feature FROM top) AND day BETWEEN ? AND ?"
            + "   GROUP BY 1, 2),"
            + " dp AS (SELECT feature, day, SUM(people) AS people FROM usage_gaps"
            + "   WHERE feature IN (SELECT feature FROM top) AND day BETWEEN ? AND ?"
            + "   GROUP BY 1, 2)"
            + " SELECT top.feature, top.uses, top.people, d.d, COALESCE(du.uses, 0),"
            + "   COALESCE(dp.people, 0)"
            + " FROM top CROSS JOIN range(?, ? + 1) d(d)"
            + " LEFT JOIN du ON du.feature = top.feature AND du.day = d.d"
            + " LEFT JOIN dp ON dp.feature = top.feature AND dp.day = d.d"
            + " ORDER BY top.uses DESC, top.feature, d.d";
    long first = from.toEpochDay();
    long last = to.toEpochDay();
    long[] params = {
      first, last, first, last, first, K, limit, first, last, first, last, first, last
    };
    Map<String, long[]> totals = new LinkedHashMap<>();
    Map<String, List<UsageAnalytics.DailyUses>> daily = new HashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setLong(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          totals.putIfAbsent(name, new long[] {rs.getLong(2), rs.getLong(3)});
          boolean small = rs.getLong(6) < K;
          daily
              .computeIfAbsent(name, n -> new ArrayList<>())
              .add(
                  new UsageAnalytics.DailyUses(
                      LocalDate.ofEpochDay(rs.getLong(4)).toString(),
                      small ? null : rs.getLong(5),
                      small));
        }
      }
    }
    List<UsageAnalytics.FeatureUsage> shown = new ArrayList<>();
    totals.forEach(
        (name, t) ->
            shown.add(new UsageAnalytics.FeatureUsage(name, t[0], t[1], false, daily.get(name))));
    return new UsageAnalytics.Features(shown);
  }

  /** As {@link UsageAnalytics#retention}, the current week being {@code today}'s. */
  UsageAnalytics.Retention retention(LocalDate from, LocalDate to, LocalDate today)
      throws Exception {
    long current = UsageAnalytics.week(today.toEpochDay());
    long firstCohort = Math.floorDiv(from.toEpochDay() + 3 + 6, 7);
    long lastCohort = Math.min(UsageAnalytics.week(to.toEpochDay()), current);
    String sql =
        "SELECT cohort_week, week, SUM(people) FROM usage_cohorts"
            + " WHERE cohort_week BETWEEN ? AND ? AND week >= cohort_week"
            + " AND week <= cohort_week + ? AND week <= ? GROUP BY 1, 2";
    Map<Long, Map<Long, Long>> cells = new HashMap<>();
    try (PreparedStatement ps = duck.prepareStatement(sql)) {
      ps.setLong(1, firstCohort);
      ps.setLong(2, lastCohort);
      ps.setLong(3, UsageAnalytics.MAX_RETENTION_WEEKS);
      ps.setLong(4, current);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cells
              .computeIfAbsent(rs.getLong(1), w -> new HashMap<>())
              .put(rs.getLong(2), rs.getLong(3));
        }
      }
    }
    List<UsageAnalytics.Cohort> cohorts = new ArrayList<>();
    for (long w = firstCohort; w <= lastCohort; w++) {
      Map<Long, Long> row = cells.getOrDefault(w, Map.of());
      int weeks = (int) Math.min(current - w, UsageAnalytics.MAX_RETENTION_WEEKS) + 1;
      long size = row.getOrDefault(w, 0L);
      List<Long> retained = new ArrayList<>(weeks);
      boolean suppressed = size < K;
      for (int k = 0; k < weeks; k++) {
        long people = row.getOrDefault(w + k, 0L);
        boolean small = size < K || people < K;
        retained.add(small ? null : people);
        suppressed |= small;
      }
      cohorts.add(
          new UsageAnalytics.Cohort(
              LocalDate.ofEpochDay(7 * w - 3).toString(),
              size < K ? null : size,
              suppressed,
              Collections.unmodifiableList(retained)));
    }
    return new UsageAnalytics.Retention("week", cohorts);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
