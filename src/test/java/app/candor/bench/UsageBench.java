package app.candor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The usage benchmark (issue 3, item 8), run on demand, never by the test suite:
 *
 * <ol>
 *   <li>HTTP ingestion: Candor as a separate server process on SQLite and on PostgreSQL; concurrent
 *       clients in this process post batches of realistic events; acknowledged events per second,
 *       batch latency, and latency at half that load;
 *   <li>the reference: the same rows loaded into PostgreSQL with COPY;
 *   <li>analytics over ten million events ({@code --events}) through {@code UsageAnalytics}, and
 *       the same questions asked of DuckDB scanning the same raw events (unlike work) and of DuckDB
 *       over the same rollup tables Candor keeps (like for like), with the end-to-end total, load
 *       plus every question, of each.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:exec -Dusage.bench.args='--pg-url ...'} (see
 * BENCHMARKS.md). Prints the machine, the settings and Markdown tables.
 */
@Command(
    name = "usage-bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark usage ingestion over HTTP and usage analytics.")
public final class UsageBench implements Callable<Integer> {

  @Option(
      names = "--only",
      description =
          "ingest, analytics, all, or writer (the usage writer alone, in-process; default"
              + " ${DEFAULT-VALUE})")
  String only = "all";

  @Option(
      names = "--pg-url",
      description =
          "PostgreSQL JDBC URL; a scratch schema is created and dropped (env CANDOR_BENCH_PG_URL)")
  String pgUrl = System.getenv("CANDOR_BENCH_PG_URL");

  @Option(
      names = "--skip-sqlite",
      description =
          "ingestion on PostgreSQL only (with --pg-url), e.g. to compare two commits there")
  boolean skipSqlite;

  @Option(
      names = "--people",
      description = "people with analytics consent for HTTP ingestion (default ${DEFAULT-VALUE})")
  int people = 5_000;

  @Option(
      names = "--clients",
      split = ",",
      description = "concurrent HTTP clients; one closed-loop run per value (default 16,64)")
  List<Integer> clients = new ArrayList<>(List.of(16, 64));

  @Option(
      names = "--paced",
      split = ",",
      description = "also run paced at these events/s, after the half-load run (default none)")
  List<Integer> paced = new java.util.ArrayList<>();

  @Option(names = "--batch", description = "events per request (default ${DEFAULT-VALUE})")
  int batch = 100;

  @Option(
      names = "--late-percent",
      description =
          "share of feature events sent late, up to 2 minutes before the person's latest event"
              + " (default ${DEFAULT-VALUE})")
  int latePercent = 0;

  @Option(
      names = "--warmup",
      description =
          "seconds before measuring; on two cores the JIT compiles for about a minute under load"
              + " (default ${DEFAULT-VALUE})")
  int warmupSeconds = 60;

  @Option(names = "--duration", description = "measured seconds per run (default ${DEFAULT-VALUE})")
  int durationSeconds = 30;

  @Option(
      names = "--server-jvm-opts",
      description = "JVM options of the Candor server process (default: none, as ./candor serve)")
  String serverJvmOpts = "";

  @Option(
      names = "--events",
      description = "events for the analytics part (default ${DEFAULT-VALUE})")
  long events = 10_000_000;

  @Option(
      names = "--analytics-people",
      description = "people for the analytics part (default ${DEFAULT-VALUE})")
  int analyticsPeople = 50_000;

  @Option(
      names = "--days",
      description = "days of history for the analytics part (default ${DEFAULT-VALUE})")
  int days = 98;

  @Option(
      names = "--runs",
      description =
          "timed runs per analytics query, after 2 warm-up runs (default ${DEFAULT-VALUE})")
  int runs = 7;

  @Option(
      names = "--work-dir",
      description = "where temporary databases go (default: the system temp dir)")
  Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

  @Option(names = "--keep", description = "keep the temporary databases")
  boolean keep;

  public static void main(String[] args) {
    System.exit(new CommandLine(new UsageBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory(workDir, "candor-usage-bench-");
    boolean pg = pgUrl != null && !pgUrl.isBlank();
    StringBuilder report = new StringBuilder();
    report.append("Date: ").append(LocalDate.now(ZoneOffset.UTC)).append('\n');
    report.append("Machine: ").append(BenchUtil.machine()).append('\n');
    if (pg) {
      report.append("PostgreSQL: ").append(BenchUtil.pgDescription(pgUrl)).append('\n');
    }
    report.append(
        String.format(
            "Settings: people=%d clients=%s batch=%d late-percent=%d warmup=%ds duration=%ds server-jvm-opts='%s'"
                + " events=%d analytics-people=%d days=%d runs=%d%n",
            people,
            clients,
            batch,
            latePercent,
            warmupSeconds,
            durationSeconds,
            serverJvmOpts,
            events,
            analyticsPeople,
            days,
            runs));
    System.out.println(report);
    try {
      if (only.equals("writer")) {
        report.append('\n').append(new WriterBench(this).run(work));
      } else if (!only.equals("analytics")) {
        report.append('\n').append(ingestion(work, pg));
      }
      if (!only.equals("ingest") && !only.equals("writer")) {
        report.append('\n').append(analytics(work));
      }
    } finally {
      if (!keep) {
        BenchUtil.deleteTree(work);
      }
    }
    System.out.println("\n==================== report ====================\n");
    System.out.println(report);
    return 0;
  }

  private String ingestion(Path work, boolean pg) throws Exception {
    List<IngestBench.Outcome> outcomes = new ArrayList<>();
    if (!skipSqlite) {
      outcomes.add(
          new IngestBench(this)
              .run("SQLite (WAL, synchronous=FULL)", work, Optional.empty(), Optional.empty()));
    }
    if (pg) {
      String schema =
          "usage_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
      try (Connection c = DriverManager.getConnection(pgUrl)) {
        c.createStatement().execute("CREATE SCHEMA " + schema);
      }
      try {
        outcomes.add(
            new IngestBench(this)
                .run(
                    "PostgreSQL " + BenchUtil.pgDescription(pgUrl).split(",")[0].substring(11),
                    work,
                    Optional.of(pgUrl),
                    Optional.of(schema)));
      } finally {
        if (!keep) {
          try (Connection c = DriverManager.getConnection(pgUrl)) {
            c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
          }
        }
      }
    } else {
      BenchUtil.log("PostgreSQL and the COPY reference skipped: pass --pg-url");
    }
    StringBuilder sb = new StringBuilder();
    sb.append("### HTTP ingestion (POST /v1/events, ")
        .append(batch)
        .append(" events per batch, server in a separate JVM)\n\n");
    sb.append(
        "| database | run | clients | acknowledged events/s | batch p50 | batch p99 | p99.9 |"
            + " 503s | server CPU | client CPU | machine busy |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (IngestBench.Outcome o : outcomes) {
      for (IngestBench.Run r : o.runs()) {
        sb.append(
            String.format(
                "| %s | %s | %d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %d | %.0f%% | %.0f%% |"
                    + " %.0f%% |%n",
                o.database(),
                r.kind().equals("max")
                    ? "as fast as possible"
                    : String.format(
                        "paced at %,.0f events/s%s",
                        r.targetEventsPerSecond(), r.kind().equals("half") ? " (half)" : ""),
                r.clients(),
                r.eventsPerSecond(),
                r.p50(),
                r.p99(),
                r.p999(),
                r.busy(),
                r.serverCpu() * 100,
                r.clientCpu() * 100,
                r.machineBusy() * 100));
      }
    }
    sb.append('\n');
    for (IngestBench.Outcome o : outcomes) {
      sb.append(
          String.format(
              "- %s: %,d events acknowledged in all runs, %,d rows in usage_events after"
                  + " the server stopped (%s); setup of %d people through the API: %.1f s.%n",
              o.database(),
              o.acknowledged(),
              o.stored(),
              o.acknowledged() == o.stored() ? "equal" : "MISMATCH",
              people,
              o.setupSeconds()));
    }
    for (IngestBench.Outcome o : outcomes) {
      if (o.copy().isPresent()) {
        CopyRef.Result c = o.copy().get();
        sb.append("\n### Reference: the same rows loaded into PostgreSQL with COPY\n\n");
        sb.append(
            "| load | rows | rows/s | ratio to Candor HTTP on this PostgreSQL | ratio to Candor HTTP on SQLite |\n");
        sb.append("|---|---|---|---|---|\n");
        double pgBest = o.best().eventsPerSecond();
        double sqliteBest = skipSqlite ? Double.NaN : outcomes.get(0).best().eventsPerSecond();
        sb.append(
            String.format(
                "| COPY into a table keyed by (person, messageId), the exact-dedupe key | %,d | %,.0f | %.2fx | %.2fx |%n",
                c.rows(),
                c.withKeyRowsPerSecond(),
                c.withKeyRowsPerSecond() / pgBest,
                c.withKeyRowsPerSecond() / sqliteBest));
        sb.append(
            String.format(
                "| COPY into a table without any index | %,d | %,.0f | %.2fx | %.2fx |%n",
                c.rows(),
                c.noIndexRowsPerSecond(),
                c.noIndexRowsPerSecond() / pgBest,
                c.noIndexRowsPerSecond() / sqliteBest));
        sb.append(
            String.format(
                "%nCOPY text: %,d MB (rows exported from Candor's usage_events, encrypted details"
                    + " included).%n",
                c.bytes() / 1_000_000));
      }
    }
    return sb.toString();
  }

  private String analytics(Path work) throws Exception {
    AnalyticsBench.Outcome o = new AnalyticsBench(this).run(work);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "### Analytics over %,d events (%,d people, %d days, %,d sessions), SQLite%n%n",
            o.events(), o.people(), o.days(), o.sessions()));
    sb.append(
        String.format(
            "Loaded through Candor's writer (group commit, sessions and rollups at write time) in"
                + " %.1f s = %,.0f events/s; Candor's data dir %,d MB. The same raw events"
                + " appended to DuckDB in %.1f s (file %,d MB).%n",
            o.loadSeconds(),
            o.events() / o.loadSeconds(),
            o.candorBytes() / 1_000_000,
            o.duckLoadSeconds(),
            o.duckBytes() / 1_000_000));
    sb.append("Rows: ");
    List<String> rows = new ArrayList<>();
    for (Map.Entry<String, Long> e : o.rollupRows().entrySet()) {
      rows.add(String.format("%s %,d", e.getKey(), e.getValue()));
    }
    sb.append(String.join(", ", rows)).append(".\n");
    sb.append(
        String.format(
            "Range %s to %s; median of %d warm runs (max in brackets).%n%n",
            o.from(), o.to(), runs));
    sb.append(
        "Unlike work: Candor reads rollups it maintained at write time (their cost is in its load"
            + " time above), DuckDB scans the raw events at every query.\n\n");
    sb.append(
        "| query | Candor (UsageAnalytics) | DuckDB scanning raw events | DuckDB / Candor | answers"
            + " |\n");
    sb.append("|---|---|---|---|---|\n");
    for (AnalyticsBench.Timing t : o.timings()) {
      sb.append(
          String.format(
              "| %s | %.1f ms (%.1f) | %.1f ms (%.1f) | %.1fx | %s |%n",
              t.query(),
              t.candorMs(),
              t.candorMaxMs(),
              t.duckMs(),
              t.duckMaxMs(),
              t.duckMs() / t.candorMs(),
              t.agreement()));
    }
    sb.append(
        String.format(
            "%nDuckDB with the straightforward SQL (range join, COUNT DISTINCT) instead of the"
                + " interval formulation above: DAU %.1f ms, WAU %.1f ms, MAU %.1f ms.%n",
            o.naiveDuckMs().get("day"), o.naiveDuckMs().get("week"), o.naiveDuckMs().get("month")));
    sb.append(rollups(o));
    return sb.toString();
  }

  /** DuckDB over the same rollup tables, and load plus all questions for each system. */
  private String rollups(AnalyticsBench.Outcome o) {
    AnalyticsBench.Rollups r = o.rollups();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%n#### Like for like: DuckDB over the same rollup tables%n%n"
                + "The four rollup tables the questions read (usage_gaps, usage_feature_days,"
                + " usage_session_hist, usage_cohorts), %,d rows, copied from Candor's database"
                + " into a DuckDB file (same columns and primary keys) in %.1f s (file %,d MB);"
                + " each question is one DuckDB query over them, its answer built as"
                + " UsageAnalytics's records (same suppression and rounding) and compared with"
                + " Candor's by equals. Median of %d warm runs (max in brackets).%n%n",
            r.rows(), r.copySeconds(), r.duckBytes() / 1_000_000, runs));
    sb.append(
        "| query | Candor (UsageAnalytics, SQLite) | DuckDB over the same rollups | DuckDB /"
            + " Candor | answers |\n|---|---|---|---|---|\n");
    for (AnalyticsBench.Timing t : r.timings()) {
      sb.append(
          String.format(
              "| %s | %.1f ms (%.1f) | %.1f ms (%.1f) | %.2fx | %s |%n",
              t.query(),
              t.candorMs(),
              t.candorMaxMs(),
              t.duckMs(),
              t.duckMaxMs(),
              t.duckMs() / t.candorMs(),
              t.agreement()));
    }
    double candorQueries = o.timings().stream().mapToDouble(AnalyticsBench.Timing::candorMs).sum();
    double rawQueries = o.timings().stream().mapToDouble(AnalyticsBench.Timing::duckMs).sum();
    double rollupQueries = r.timings().stream().mapToDouble(AnalyticsBench.Timing::duckMs).sum();
    double candorTotal = o.loadSeconds() + candorQueries / 1000;
    double rawTotal = o.duckLoadSeconds() + rawQueries / 1000;
    double rollupTotal = o.loadSeconds() + r.copySeconds() + rollupQueries / 1000;
    sb.append(
        String.format(
            "%n#### End to end: load plus every question once, the same %,d events%n%n"
                + "| system | load | all %d questions (sum of medians) | total | total / Candor's"
                + " |%n|---|---|---|---|---|%n",
            o.events(), o.timings().size()));
    sb.append(
        String.format(
            "| Candor: writer (group commit, sessions, rollups at write time; no HTTP, JSON or"
                + " encryption), then UsageAnalytics | %.1f s | %.1f ms | %.1f s | 1.00x |%n",
            o.loadSeconds(), candorQueries, candorTotal));
    sb.append(
        String.format(
            "| DuckDB: appender of the raw events (one checkpoint at the end, no per-batch"
                + " durability), then queries scanning them | %.1f s | %.1f ms | %.1f s | %.3fx |%n",
            o.duckLoadSeconds(), rawQueries, rawTotal, rawTotal / candorTotal));
    sb.append(
        String.format(
            "| DuckDB over Candor's rollups: Candor's load, the copy, then DuckDB's queries |"
                + " %.1f s + %.1f s | %.1f ms | %.1f s | %.3fx |%n",
            o.loadSeconds(),
            r.copySeconds(),
            rollupQueries,
            rollupTotal,
            rollupTotal / candorTotal));
    return sb.toString();
  }
}
