package app.candor.bench;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.usage.BulkLoader;
import app.candor.usage.Ingestion;
import app.candor.usage.UsageAnalytics;
import app.candor.usage.UsageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Analytics latency over millions of events: the events of a synthetic population ({@link
 * UsageModel}) go into a fresh Candor database through Candor's own writer (rollups maintained at
 * write time), and the same raw events into DuckDB; then the same questions are asked of both,
 * warm, several times, and the answers compared.
 */
final class AnalyticsBench {
  private static final long DAY = 86_400_000L;

  /** One question: Candor's and DuckDB's median times and whether their answers agree. */
  record Timing(
      String query,
      double candorMs,
      double candorMaxMs,
      double duckMs,
      double duckMaxMs,
      String agreement) {}

  record Outcome(
      long events,
      int people,
      int days,
      long sessions,
      double loadSeconds,
      double duckLoadSeconds,
      long candorBytes,
      long duckBytes,
      Map<String, Long> rollupRows,
      LocalDate from,
      LocalDate to,
      List<Timing> timings,
      Map<String, Double> naiveDuckMs,
      Rollups rollups) {}

  /**
   * DuckDB over Candor's rollups: the rows copied, how long the copy took, the file's size, and
   * each question timed against Candor's.
   */
  record Rollups(long rows, double copySeconds, long duckBytes, List<Timing> timings) {}

  private final UsageBench settings;

  AnalyticsBench(UsageBench settings) {
    this.settings = settings;
  }

  Outcome run(Path work) throws Exception {
    Path dir = Files.createTempDirectory(work, "analytics-");
    Config config = Config.forDataDir(dir.resolve("candor"));
    LocalDate to = LocalDate.now(ZoneOffset.UTC).minusDays(1);
    LocalDate from = to.minusDays(89);
    try (Candor candor = Candor.open(config)) {
      List<String> ids = people(candor);
      UsageModel model =
          new UsageModel(settings.analyticsPeople, settings.days, to.toEpochDay(), 7);
      long sessions = model.totalSessions();
      double featuresPerSession = Math.max(1.0, (settings.events - 2.0 * sessions) / sessions);
      BenchUtil.log(
          "analytics: %d sessions planned; %.2f feature events per session for ~%d events",
          sessions, featuresPerSession, settings.events);

      long cutoff = System.currentTimeMillis();
      long t = System.nanoTime();
      long events = loadCandor(candor, model, ids, featuresPerSession, cutoff);
      double loadSeconds = (System.nanoTime() - t) / 1e9;
      BenchUtil.log(
          "analytics: %d events written by Candor's writer in %.1f s (%.0f events/s)",
          events, loadSeconds, events / loadSeconds);
      Map<String, Long> rollups = rollupRows(candor);
      BenchUtil.log("analytics: rows %s", rollups);

      Path duckFile = dir.resolve("events.duckdb");
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckFile)) {
        model.rewind();
        t = System.nanoTime();
        long duckEvents = loadDuck(duck, model, ids, featuresPerSession, cutoff);
        double duckLoadSeconds = (System.nanoTime() - t) / 1e9;
        BenchUtil.log(
            "analytics: %d events appended to DuckDB in %.1f s", duckEvents, duckLoadSeconds);
        if (duckEvents != events) {
          throw new IllegalStateException("DuckDB got " + duckEvents + " events, Candor " + events);
        }
        long candorBytes = BenchUtil.sizeOf(dir.resolve("candor"));
        long duckBytes = Files.size(duckFile);
        List<Timing> timings = queries(candor.usageAnalytics(), duck, from, to);
        Map<String, Double> naive = new LinkedHashMap<>();
        for (UsageAnalytics.Window w : UsageAnalytics.Window.values()) {
          long f = from.toEpochDay();
          long t2 = to.toEpochDay();
          if (!java.util.Arrays.deepEquals(
              duckActiveNaive(duck, f, t2, w.days()).values().toArray(),
              duckActive(duck, f, t2, w.days()).values().toArray())) {
            throw new IllegalStateException("the two DuckDB formulations disagree for " + w);
          }
          naive.put(w.id(), naiveMedianMs(duck, f, t2, w.days(), Math.min(3, settings.runs)));
          BenchUtil.log(
              "analytics: DuckDB straightforward SQL, window %s: %.1f ms",
              w.id(), naive.get(w.id()));
        }
        Rollups overRollups = overRollups(candor, dir.resolve("rollups.duckdb"), from, to);
        return new Outcome(
            events,
            settings.analyticsPeople,
            settings.days,
            sessions,
            loadSeconds,
            duckLoadSeconds,
            candorBytes,
            duckBytes,
            rollups,
            from,
            to,
            timings,
            naive,
            overRollups);
      }
    } finally {
      if (!settings.keep) {
        BenchUtil.deleteTree(dir);
      }
    }
  }

  /** Candor's rollup tables copied into a DuckDB file, and the questions asked of both. */
  private Rollups overRollups(Candor candor, Path file, LocalDate from, LocalDate to)
      throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file)) {
      RollupDuck rollups = new RollupDuck(duck);
      long t = System.nanoTime();
      long rows = rollups.copyFrom(candor);
      double seconds = (System.nanoTime() - t) / 1e9;
      BenchUtil.log("analytics: %d rollup rows copied into DuckDB in %.1f s", rows, seconds);
      List<Timing> timings = rollups.compare(candor.usageAnalytics(), from, to, settings.runs);
      return new Rollups(rows, seconds, Files.size(file), timings);
    }
  }

  // ------------------------------------------------------------------ loading

  private List<String> people(Candor candor) {
    long t = System.nanoTime();
    List<String> ids = BenchUtil.createPeople(candor, settings.analyticsPeople, 11);
    BenchUtil.log(
        "analytics: %d people created in %.1f s", ids.size(), (System.nanoTime() - t) / 1e9);
    return ids;
  }

  private long loadCandor(
      Candor candor, UsageModel model, List<String> ids, double featuresPerSession, long cutoff) {
    long seq = 0;
    long inserted = 0;
    ArrayDeque<CompletableFuture<Ingestion.Written>> pending = new ArrayDeque<>();
    try (BulkLoader loader =
        new BulkLoader(candor.database(), candor.config().usage(), Clock.systemUTC())) {
      long started = System.nanoTime();
      for (int day = 0; day < model.days; day++) {
        List<UsageModel.Ev> evs = model.day(day, featuresPerSession, cutoff);
        for (int i = 0; i < evs.size(); i += 1000) {
          List<UsageEvent> chunk = new ArrayList<>(1000);
          for (UsageModel.Ev e : evs.subList(i, Math.min(evs.size(), i + 1000))) {
            chunk.add(
                new UsageEvent(
                    ids.get(e.person()),
                    Long.toString(seq++, 36),
                    UsageModel.type(e),
                    UsageModel.name(e),
                    e.at(),
                    UsageModel.service(e),
                    null));
          }
          pending.add(loader.submit(chunk));
          while (loader.backlog() > 100_000 || pending.size() > 400) {
            inserted += check(pending.poll().join());
          }
        }
        if ((day + 1) % 10 == 0) {
          double s = (System.nanoTime() - started) / 1e9;
          BenchUtil.log(
              "analytics: day %d/%d, %d events queued, %.0f s, %.0f events/s",
              day + 1, model.days, seq, s, seq / s);
        }
      }
      while (!pending.isEmpty()) {
        inserted += check(pending.poll().join());
      }
    }
    if (inserted != seq) {
      throw new IllegalStateException("inserted " + inserted + " of " + seq + " events");
    }
    return seq;
  }

  private static long check(Ingestion.Written w) {
    if (w.duplicates() != 0 || w.gone() != 0) {
      throw new IllegalStateException("unexpected outcome " + w);
    }
    return w.inserted();
  }

  private static long loadDuck(
      Connection duck, UsageModel model, List<String> ids, double featuresPerSession, long cutoff)
      throws Exception {
    // The columns of usage_events that the questions need; "at" is a keyword in DuckDB, so ts.
    try (Statement st = duck.createStatement()) {
      st.execute(
          "CREATE TABLE events (subject_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL,"
              + " ts BIGINT NOT NULL, type VARCHAR NOT NULL, name VARCHAR NOT NULL,"
              + " service VARCHAR NOT NULL)");
    }
    long seq = 0;
    try (DuckDBAppender app =
        ((DuckDBConnection) duck).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "events")) {
      for (int day = 0; day < model.days; day++) {
        for (UsageModel.Ev e : model.day(day, featuresPerSession, cutoff)) {
          app.beginRow()
              .append(ids.get(e.person()))
              .append(Long.toString(seq++, 36))
              .append(e.at())
              .append(UsageModel.type(e))
              .append(UsageModel.name(e))
              .append(UsageModel.service(e))
              .endRow();
        }
      }
    }
    try (Statement st = duck.createStatement()) {
      st.execute("CHECKPOINT");
    }
    return seq;
  }

  private static Map<String, Long> rollupRows(Candor candor) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String table :
        List.of(
            "usage_events",
            "usage_person_days",
            "usage_gaps",
            "usage_feature_days",
            "usage_sessions",
            "usage_session_hist",
            "usage_cohorts")) {
      out.put(
          table,
          candor
              .database()
              .withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one()));
    }
    return out;
  }

  // ------------------------------------------------------------------ the questions

  private List<Timing> queries(
      UsageAnalytics analytics, Connection duck, LocalDate from, LocalDate to) throws Exception {
    long f = from.toEpochDay();
    long t = to.toEpochDay();
    List<Timing> out = new ArrayList<>();
    for (UsageAnalytics.Window w : UsageAnalytics.Window.values()) {
      String name =
          switch (w) {
            case DAY -> "DAU";
            case WEEK -> "WAU";
            case MONTH -> "MAU";
          };
      out.add(
          compare(
              name + " (+ DAU/MAU) for each of 90 days",
              () -> analytics.activeUsers(from, to, w),
              () -> duckActive(duck, f, t, w.days()),
              (c, d) -> agreeActive(c, d)));
    }
    LocalDate retentionFrom = to.minusWeeks(12);
    long current = UsageAnalytics.week(analytics.today().toEpochDay());
    out.add(
        compare(
            "retention matrix, weekly cohorts of 12 weeks",
            () -> analytics.retention(retentionFrom, to),
            () -> duckRetention(duck, retentionFrom.toEpochDay(), t, current),
            AnalyticsBench::agreeRetention));
    out.add(
        compare(
            "sessions (count, median, p90, per person) over 90 days",
            () -> analytics.sessions(from, to),
            () -> duckSessions(duck, f, t),
            AnalyticsBench::agreeSessions));
    out.add(
        compare(
            "top 10 features with people and daily uses, 90 days",
            () -> analytics.features(from, to, 10),
            () -> duckFeatures(duck, f, t, 10),
            AnalyticsBench::agreeFeatures));
    return out;
  }

  interface Query<T> {
    T run() throws Exception;
  }

  interface Agreement<C, D> {
    String check(C candor, D duck);
  }

  private <C, D> Timing compare(
      String name, Query<C> candor, Query<D> duck, Agreement<C, D> agreement) throws Exception {
    return compare(name, settings.runs, candor, duck, agreement);
  }

  /** Two warm-up runs of each, then {@code runs} timed runs, alternating; medians and maxima. */
  static <C, D> Timing compare(
      String name, int runs, Query<C> candor, Query<D> duck, Agreement<C, D> agreement)
      throws Exception {
    C c = null;
    D d = null;
    for (int i = 0; i < 2; i++) {
      c = candor.run();
      d = duck.run();
    }
    double[] ct = new double[runs];
    double[] dt = new double[runs];
    for (int i = 0; i < runs; i++) {
      long s = System.nanoTime();
      c = candor.run();
      ct[i] = (System.nanoTime() - s) / 1e6;
      s = System.nanoTime();
      d = duck.run();
      dt[i] = (System.nanoTime() - s) / 1e6;
    }
    String agree = agreement.check(c, d);
    Timing timing =
        new Timing(
            name,
            BenchUtil.median(ct),
            java.util.Arrays.stream(ct).max().orElse(0),
            BenchUtil.median(dt),
            java.util.Arrays.stream(dt).max().orElse(0),
            agree);
    BenchUtil.log(
        "analytics: %s: Candor %.1f ms (max %.1f), DuckDB %.1f ms (max %.1f); %s",
        name, timing.candorMs(), timing.candorMaxMs(), timing.duckMs(), timing.duckMaxMs(), agree);
    return timing;
  }

  // ------------------------------------------------------------------ DuckDB over raw events

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

  private static String agreeActive(UsageAnalytics.ActiveUsers c, Map<Long, long[]> d) {
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

  private static String agreeRetention(UsageAnalytics.Retention c, Map<List<Long>, Long> d) {
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

  private static String agreeSessions(UsageAnalytics.Sessions c, long[] d) {
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

  private static String agreeFeatures(UsageAnalytics.Features c, DuckFeatures d) {
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
