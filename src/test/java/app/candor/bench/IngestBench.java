package app.candor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * HTTP ingestion throughput: Candor runs as a separate server process; this process creates a
 * service and people with {@code analytics} consent through the API, then runs concurrent clients
 * posting batches of events, first as fast as they can (closed loop), then paced at half the best
 * measured rate (open loop, latency counted from the scheduled send time).
 */
final class IngestBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One load run. */
  record Run(
      String kind,
      int clients,
      double targetEventsPerSecond,
      double seconds,
      long batches,
      long events,
      long busy,
      long failed,
      double p50,
      double p99,
      double p999,
      double max,
      double serverCpu,
      double clientCpu,
      double machineBusy) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  /** Everything measured on one database. */
  record Outcome(
      String database,
      List<Run> runs,
      long acknowledged,
      long stored,
      double setupSeconds,
      Optional<CopyRef.Result> copy) {
    Run best() {
      return runs.stream()
          .filter(r -> r.kind().equals("max"))
          .max((a, b) -> Double.compare(a.eventsPerSecond(), b.eventsPerSecond()))
          .orElseThrow();
    }
  }

  private final UsageBench settings;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicInteger failuresShown = new AtomicInteger();

  IngestBench(UsageBench settings) {
    this.settings = settings;
  }

  /**
   * Runs the ingestion benchmark on a fresh database: SQLite in a temporary data directory when
   * {@code pgSchema} is empty, else the given PostgreSQL schema (which the caller creates/drops).
   */
  Outcome run(String label, Path work, Optional<String> pgBaseUrl, Optional<String> pgSchema)
      throws Exception {
    Path dataDir = Files.createTempDirectory(work, "ingest-");
    Optional<String> dbUrl =
        pgSchema.map(
            s ->
                pgBaseUrl.get()
                    + (pgBaseUrl.get().contains("?") ? "&" : "?")
                    + "currentSchema="
                    + s);
    List<String> jvm =
        settings.serverJvmOpts.isBlank()
            ? List.of()
            : Arrays.asList(settings.serverJvmOpts.trim().split("\\s+"));
    BenchUtil.log("%s: starting Candor (java %s app.candor.cli.Main serve)", label, jvm);
    List<Run> runs = new ArrayList<>();
    double setupSeconds;
    try (CandorServer server = CandorServer.start(dataDir, dbUrl, jvm)) {
      long t = System.nanoTime();
      String eventsKey = service(server, "feed", "analytics");
      String accountsKey = service(server, "accounts", "account");
      List<String> people = people(server, accountsKey, settings.people);
      setupSeconds = (System.nanoTime() - t) / 1e9;
      BenchUtil.log(
          "%s: %d people with analytics consent created through the API in %.1f s",
          label, people.size(), setupSeconds);
      BatchGen.Population population = new BatchGen.Population(people, settings.latePercent);
      for (int clients : settings.clients) {
        Run r = closedLoop(server, eventsKey, population, clients);
        runs.add(r);
        BenchUtil.log("%s: %s", label, describe(r));
      }
      Run best =
          runs.stream()
              .max((a, b) -> Double.compare(a.eventsPerSecond(), b.eventsPerSecond()))
              .orElseThrow();
      drain(server);
      Run half =
          paced(server, eventsKey, population, best.clients(), best.eventsPerSecond() / 2, "half");
      runs.add(half);
      BenchUtil.log("%s: %s", label, describe(half));
      for (int rate : settings.paced) {
        // Each paced run starts with the writer caught up, so it does not pay for the one before.
        drain(server);
        Run r = paced(server, eventsKey, population, best.clients(), rate, "paced");
        runs.add(r);
        BenchUtil.log("%s: %s", label, describe(r));
      }
    }
    long stored = storedRows(dataDir, dbUrl);
    BenchUtil.log(
        "%s: acknowledged %d events, %d rows in usage_events", label, acknowledged.get(), stored);
    Optional<CopyRef.Result> copy = Optional.empty();
    if (pgSchema.isPresent()) {
      copy = Optional.of(CopyRef.run(pgBaseUrl.get(), pgSchema.get(), work));
      BenchUtil.log("%s: COPY reference %s", label, copy.get());
    }
    if (!settings.keep) {
      BenchUtil.deleteTree(dataDir);
    }
    return new Outcome(label, runs, acknowledged.get(), stored, setupSeconds, copy);
  }

  static String describe(Run r) {
    return String.format(
        "%s, %d clients%s: %.0f events/s (%d batches in %.1f s), batch latency p50 %.1f ms,"
            + " p99 %.1f ms, p99.9 %.1f ms, max %.1f ms; 503s %d, failures %d;"
            + " CPU: server %.0f%%, client %.0f%%, machine %.0f%% busy",
        r.kind(),
        r.clients(),
        r.kind().equals("max")
            ? ""
            : String.format(", target %.0f events/s", r.targetEventsPerSecond()),
        r.eventsPerSecond(),
        r.batches(),
        r.seconds(),
        r.p50(),
        r.p99(),
        r.p999(),
        r.max(),
        r.busy(),
        r.failed(),
        r.serverCpu() * 100,
        r.clientCpu() * 100,
        r.machineBusy() * 100);
  }

  /** Waits until nothing is queued nor waiting for the roll-up (read from /metrics). */
  private static void drain(CandorServer server) throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(5);
    try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
      while (System.nanoTime() < deadline) {
        String metrics = http.send("GET", "/metrics", null, null).text();
        if (gauge(metrics, "candor_usage_backlog") == 0
            && gauge(metrics, "candor_usage_rollup_lag") == 0) {
          BenchUtil.log("writer caught up after %.1f s", (System.nanoTime() - start) / 1e9);
          return;
        }
        Thread.sleep(250);
      }
    }
    throw new IOException("the writer did not catch up within 5 minutes");
  }

  private static double gauge(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  // ------------------------------------------------------------------ setup through the API

  private static String service(CandorServer server, String name, String purpose)
      throws IOException {
    try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
      String body = "{\"name\":\"" + name + "\",\"purposes\":[\"" + purpose + "\"]}";
      MiniHttp.Response r =
          http.send(
              "POST", "/v1/services", server.adminToken, body.getBytes(StandardCharsets.UTF_8));
      if (r.status() != 201) {
        throw new IOException("POST /v1/services: " + r.status() + " " + r.text());
      }
      return JSON.readTree(r.body()).get("apiKey").asText();
    }
  }

  /** Creates people with POST /v1/users and grants analytics, relayed by the account service. */
  private static List<String> people(CandorServer server, String key, int count) throws Exception {
    int threads = 8;
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
                  for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    String person =
                        String.format(
                            "{\"name\":\"Bench Person %d\",\"phone\":\"+49151%08d\","
                                + "\"email\":\"bench.%d@example.org\",\"birthDate\":\"%d-%02d-%02d\"}",
                            i, 90_000_000 + i, i, 1960 + i % 45, 1 + i % 12, 1 + i % 28);
                    MiniHttp.Response r =
                        http.send(
                            "POST", "/v1/users", key, person.getBytes(StandardCharsets.UTF_8));
                    if (r.status() != 201) {
                      throw new IOException("POST /v1/users: " + r.status() + " " + r.text());
                    }
                    String id = JSON.readTree(r.body()).get("id").asText();
                    MiniHttp.Response c =
                        http.send(
                            "PUT",
                            "/v1/users/" + id + "/consents/analytics",
                            key,
                            "{\"granted\":true}".getBytes(StandardCharsets.UTF_8));
                    if (c.status() != 200) {
                      throw new IOException("PUT consents: " + c.status() + " " + c.text());
                    }
                    ids.add(id);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    List<String> sorted = new ArrayList<>(ids);
    Collections.sort(sorted);
    return sorted;
  }

  // ------------------------------------------------------------------ load

  /** Per-client results. */
  private static final class Tally {
    long[] latencies = new long[1 << 16];
    int n;
    long batches;
    long events;
    long busy;
    long failed;

    void add(long nanos) {
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = nanos;
    }
  }

  /** Clients send batches back to back for warmup + duration; the duration is measured. */
  private Run closedLoop(CandorServer server, String key, BatchGen.Population people, int clients)
      throws Exception {
    long warmup = TimeUnit.SECONDS.toNanos(settings.warmupSeconds);
    long measure = TimeUnit.SECONDS.toNanos(settings.durationSeconds);
    return load(
        server,
        "max",
        clients,
        0,
        warmup,
        measure,
        (client, start, windowStart, end, tally) -> {
          BatchGen gen = new BatchGen(people, client, clients, seed(clients, client));
          try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
            while (System.nanoTime() < end) {
              byte[] body = gen.batch(settings.batch, System.currentTimeMillis());
              long t0 = System.nanoTime();
              MiniHttp.Response r = http.send("POST", "/v1/events", key, body);
              long t1 = System.nanoTime();
              record(r, t1 - t0, t1 >= windowStart && t1 < end, tally);
            }
          }
        });
  }

  /**
   * Clients send at a fixed total rate, each on its own schedule; a batch's latency runs from when
   * it was due, so a server that falls behind shows it (no coordinated omission).
   */
  private Run paced(
      CandorServer server,
      String key,
      BatchGen.Population people,
      int clients,
      double eventsPerSecond,
      String kind)
      throws Exception {
    long warmup = TimeUnit.SECONDS.toNanos(Math.max(3, settings.warmupSeconds / 2));
    long measure = TimeUnit.SECONDS.toNanos(settings.durationSeconds);
    long interval = (long) (clients * settings.batch * 1e9 / eventsPerSecond);
    return load(
        server,
        kind,
        clients,
        eventsPerSecond,
        warmup,
        measure,
        (client, start, windowStart, end, tally) -> {
          BatchGen gen = new BatchGen(people, client, clients, seed(clients, client));
          try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
            long due = start + interval * client / clients;
            while (due < end) {
              byte[] body = gen.batch(settings.batch, System.currentTimeMillis());
              long now;
              while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
              }
              MiniHttp.Response r = http.send("POST", "/v1/events", key, body);
              long t1 = System.nanoTime();
              record(r, t1 - due, due >= windowStart && due < end, tally);
              due += interval;
            }
          }
        });
  }

  private void record(MiniHttp.Response r, long nanos, boolean counted, Tally tally)
      throws IOException {
    if (r.status() == 200) {
      JsonNode out = JSON.readTree(r.body());
      long accepted = out.get("accepted").asLong();
      acknowledged.addAndGet(accepted);
      if (out.get("duplicates").asLong() + out.get("droppedNoConsent").asLong() > 0
          || out.get("rejected").size() > 0) {
        showFailure("200 with events not accepted: " + r.text());
      }
      if (counted) {
        tally.add(nanos);
        tally.batches++;
        tally.events += accepted;
      }
    } else if (r.status() == 503) {
      if (counted) {
        tally.busy++;
      }
      try {
        Thread.sleep(1000L * Math.max(1, r.retryAfter()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      if (counted) {
        tally.failed++;
      }
      showFailure(r.status() + " " + r.text());
    }
  }

  private void showFailure(String what) {
    if (failuresShown.incrementAndGet() <= 5) {
      BenchUtil.log("unexpected answer: %s", what.length() > 500 ? what.substring(0, 500) : what);
    }
  }

  private interface Client {
    void run(int client, long start, long windowStart, long end, Tally tally) throws Exception;
  }

  // Every run draws new messageIds: a run repeating an earlier run's seeds would send retries.
  private final java.util.concurrent.atomic.AtomicLong runs =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile long runSeed;

  private long seed(int clients, int client) {
    return runSeed * 1_000_003L + 1000L * clients + client;
  }

  private Run load(
      CandorServer server,
      String kind,
      int clients,
      double target,
      long warmup,
      long measure,
      Client body)
      throws Exception {
    runSeed = runs.incrementAndGet();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    long windowStart = start + warmup;
    long end = windowStart + measure;
    List<Tally> tallies = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Tally tally = new Tally();
      tallies.add(tally);
      int client = c;
      futures.add(
          pool.submit(
              () -> {
                body.run(client, start, windowStart, end, tally);
                return null;
              }));
    }
    // CPU accounting over the measured window.
    sleepUntil(windowStart);
    double server0 = BenchUtil.processCpuSeconds(server.pid());
    double client0 = BenchUtil.processCpuSeconds(ProcessHandle.current().pid());
    long[] machine0 = BenchUtil.machineJiffies();
    sleepUntil(end);
    double server1 = BenchUtil.processCpuSeconds(server.pid());
    double client1 = BenchUtil.processCpuSeconds(ProcessHandle.current().pid());
    long[] machine1 = BenchUtil.machineJiffies();
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    double seconds = measure / 1e9;
    long batches = 0;
    long events = 0;
    long busy = 0;
    long failed = 0;
    int n = 0;
    for (Tally t : tallies) {
      batches += t.batches;
      events += t.events;
      busy += t.busy;
      failed += t.failed;
      n += t.n;
    }
    long[] all = new long[n];
    int at = 0;
    for (Tally t : tallies) {
      System.arraycopy(t.latencies, 0, all, at, t.n);
      at += t.n;
    }
    long machineTotal = machine1[1] - machine0[1];
    return new Run(
        kind,
        clients,
        target,
        seconds,
        batches,
        events,
        busy,
        failed,
        BenchUtil.pct(all, 50),
        BenchUtil.pct(all, 99),
        BenchUtil.pct(all, 99.9),
        BenchUtil.pct(all, 100),
        (server1 - server0) / seconds,
        (client1 - client0) / seconds,
        machineTotal == 0 ? 0 : (double) (machine1[0] - machine0[0]) / machineTotal);
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < deadline) {
      TimeUnit.NANOSECONDS.sleep(Math.min(deadline - now, 100_000_000L));
    }
  }

  /** Rows in usage_events after the server stopped: must equal the events acknowledged. */
  private static long storedRows(Path dataDir, Optional<String> dbUrl) throws Exception {
    String url = dbUrl.orElse("jdbc:sqlite:" + dataDir.resolve("candor.db"));
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM usage_events")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
