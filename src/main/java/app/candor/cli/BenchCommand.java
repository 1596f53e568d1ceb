package app.candor.cli;

import app.candor.Candor;
import app.candor.CommandServices;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.personal.Person;
import app.candor.privacy.PrivacyService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the foundation's costs on SQLite and, when given a URL, PostgreSQL: creating people (a
 * keyset, six encrypted fields and two blind indexes each), exporting one person, erasing one
 * person, including one with a long history. Prints a Markdown table with the machine and settings,
 * for BENCHMARKS.md.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark person creation, export and erasure on SQLite and PostgreSQL.")
final class BenchCommand implements Callable<Integer> {

  @Option(names = "--people", description = "people to create (default ${DEFAULT-VALUE})")
  int people = 100_000;

  @Option(
      names = "--batch",
      description = "people per transaction in bulk creation (default ${DEFAULT-VALUE})")
  int batch = 1_000;

  @Option(
      names = "--single",
      description = "people created one transaction each (default ${DEFAULT-VALUE})")
  int single = 1_000;

  @Option(
      names = "--history",
      description = "access-log entries of the heavy person (default ${DEFAULT-VALUE})")
  int history = 10_000;

  @Option(
      names = "--samples",
      description = "people exported and erased per measurement (default ${DEFAULT-VALUE})")
  int samples = 25;

  @Option(
      names = "--pg-url",
      description =
          "PostgreSQL JDBC URL; a scratch schema is created and dropped (env CANDOR_BENCH_PG_URL)")
  String pgUrl = System.getenv("CANDOR_BENCH_PG_URL");

  @Override
  public Integer call() throws Exception {
    System.out.println(machine());
    System.out.printf(
        "Settings: people=%d batch=%d single=%d history=%d samples=%d%n%n",
        people, batch, single, history, samples);
    System.out.println("| database | measure | result |");
    System.out.println("|---|---|---|");
    run("SQLite (WAL, synchronous=FULL)", Optional.empty());
    if (pgUrl != null && !pgUrl.isBlank()) {
      String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (var c = DriverManager.getConnection(pgUrl)) {
        c.createStatement().execute("CREATE SCHEMA " + schema);
      }
      try {
        String sep = pgUrl.contains("?") ? "&" : "?";
        run("PostgreSQL " + pgVersion(), Optional.of(pgUrl + sep + "currentSchema=" + schema));
      } finally {
        try (var c = DriverManager.getConnection(pgUrl)) {
          c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
        }
      }
    } else {
      System.out.println("\n(PostgreSQL skipped: pass --pg-url or set CANDOR_BENCH_PG_URL)");
    }
    return 0;
  }

  private void run(String label, Optional<String> dbUrl) throws IOException {
    Path dir = Files.createTempDirectory("candor-bench");
    Config config = Config.forDataDir(dir).withDbUrl(dbUrl);
    try (Candor candor = Candor.open(config)) {
      CommandServices.Bench bench = candor.bench();
      Random random = new Random(7);
      List<String> ids = new ArrayList<>();
      long start = System.nanoTime();
      for (int done = 0; done < people; done += batch) {
        List<Map<String, Optional<String>>> inputs = new ArrayList<>();
        for (int i = done; i < Math.min(people, done + batch); i++) {
          inputs.add(DemoData.person(i, random));
        }
        for (Person p : bench.people().createAll(inputs)) {
          if (ids.size() < samples * 2) {
            ids.add(p.id());
          }
        }
      }
      double bulkSeconds = (System.nanoTime() - start) / 1e9;
      row(
          label,
          "create " + people + " people, " + batch + " per transaction",
          String.format("%.1f s (%.0f people/s)", bulkSeconds, people / bulkSeconds));

      long[] singles = new long[single];
      Caller admin = new Caller.Admin();
      for (int i = 0; i < single; i++) {
        Map<String, Optional<String>> input = DemoData.person(people + i, random);
        long t = System.nanoTime();
        bench.people().create(admin, input);
        singles[i] = System.nanoTime() - t;
      }
      double singleTotal = Arrays.stream(singles).sum() / 1e9;
      row(
          label,
          "create one person per transaction (" + single + " runs)",
          String.format(
              "%.0f people/s; p50 %.2f ms, p99 %.2f ms",
              single / singleTotal, pct(singles, 50), pct(singles, 99)));

      long[] exports = new long[samples];
      for (int i = 0; i < samples; i++) {
        long t = System.nanoTime();
        bench
            .gate()
            .read(
                admin,
                ids.get(i),
                java.util.Optional.empty(),
                PrivacyService.REPORT,
                bench.privacy()::export);
        exports[i] = System.nanoTime() - t;
      }
      row(
          label,
          "export one person (ZIP)",
          String.format("p50 %.2f ms, p99 %.2f ms", pct(exports, 50), pct(exports, 99)));

      long[] erasures = new long[samples];
      for (int i = 0; i < samples; i++) {
        long t = System.nanoTime();
        bench
            .privacy()
            .erase(bench.gate().change(admin, ids.get(samples + i), PrivacyService.ERASURE));
        erasures[i] = System.nanoTime() - t;
      }
      row(
          label,
          "erase one person",
          String.format("p50 %.2f ms, p99 %.2f ms", pct(erasures, 50), pct(erasures, 99)));

      String heavy = ids.get(0);
      giveHistory(bench, heavy);
      long t = System.nanoTime();
      byte[] zip =
          bench
              .gate()
              .read(
                  admin,
                  heavy,
                  java.util.Optional.empty(),
                  PrivacyService.REPORT,
                  bench.privacy()::export);
      double heavyExport = (System.nanoTime() - t) / 1e6;
      row(
          label,
          "export a person with " + history + " access-log entries",
          String.format("%.1f ms (%d KB ZIP)", heavyExport, zip.length / 1024));
      t = System.nanoTime();
      bench.privacy().erase(bench.gate().change(admin, heavy, PrivacyService.ERASURE));
      double heavyErase = (System.nanoTime() - t) / 1e6;
      row(
          label,
          "erase a person with " + history + " access-log entries",
          String.format("%.1f ms", heavyErase));
    } finally {
      deleteTree(dir);
    }
  }

  /** Gives the person a long history: consent changes and many logged reads. */
  private void giveHistory(CommandServices.Bench bench, String id) {
    for (int i = 0; i < 50; i++) {
      bench.consents().decide(id, Purpose.ANALYTICS, i % 2 == 0, Optional.empty(), "bench");
    }
    long now = System.currentTimeMillis();
    bench
        .database()
        .useTransaction(
            h -> {
              var batchInsert =
                  h.prepareBatch(
                      "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields) VALUES (?, ?, ?, ?, ?, ?)");
              for (int i = 0; i < history; i++) {
                batchInsert.add(
                    UUID.randomUUID().toString(),
                    id,
                    now + i,
                    "service:bench",
                    "account",
                    "name,phone");
              }
              batchInsert.execute();
            });
  }

  private static void row(String db, String measure, String result) {
    System.out.println("| " + db + " | " + measure + " | " + result + " |");
  }

  private static double pct(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  private String pgVersion() {
    try (var c = DriverManager.getConnection(pgUrl);
        var rs = c.createStatement().executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    } catch (Exception e) {
      return "(version unknown)";
    }
  }

  private static String machine() {
    Runtime rt = Runtime.getRuntime();
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
    } catch (IOException e) {
      // Not Linux; keep the default.
    }
    return String.format(
        "Machine: %s, %d cores, JVM max heap %d MiB, %s %s, Java %s (%s)",
        cpu,
        rt.availableProcessors(),
        rt.maxMemory() / (1024 * 1024),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getVmName());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
