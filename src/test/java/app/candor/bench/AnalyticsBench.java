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
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
              RawDuck.duckActiveNaive(duck, f, t2, w.days()).values().toArray(),
              RawDuck.duckActive(duck, f, t2, w.days()).values().toArray())) {
            throw new IllegalStateException("the two DuckDB formulations disagree for " + w);
          }
          naive.put(
              w.id(), RawDuck.naiveMedianMs(duck, f, t2, w.days(), Math.min(3, settings.runs)));
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
              () -> RawDuck.duckActive(duck, f, t, w.days()),
              RawDuck::agreeActive));
    }
    LocalDate retentionFrom = to.minusWeeks(12);
    long current = UsageAnalytics.week(analytics.today().toEpochDay());
    out.add(
        compare(
            "retention matrix, weekly cohorts of 12 weeks",
            () -> analytics.retention(retentionFrom, to),
            () -> RawDuck.duckRetention(duck, retentionFrom.toEpochDay(), t, current),
            RawDuck::agreeRetention));
    out.add(
        compare(
            "sessions (count, median, p90, per person) over 90 days",
            () -> analytics.sessions(from, to),
            () -> RawDuck.duckSessions(duck, f, t),
            RawDuck::agreeSessions));
    out.add(
        compare(
            "top 10 features with people and daily uses, 90 days",
            () -> analytics.features(from, to, 10),
            () -> RawDuck.duckFeatures(duck, f, t, 10),
            RawDuck::agreeFeatures));
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
}
