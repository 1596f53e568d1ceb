package app.candor.bench;

import app.candor.Candor;
import app.candor.core.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gated, durably logged profile reads over HTTP, from this process against a Candor server in its
 * own: {@code GET /v1/users/{id}} by a service naming {@code Candor-Purpose: account}, each answer
 * sent only once its access-log entry is committed. Reports reads/s and latency per number of
 * clients, then stops the server and counts the access-log rows against the 200s it sent.
 *
 * <pre>
 * ./mvnw -q test-compile exec:exec@read-bench -Dread.bench.args='--people 10000 --seconds 20'
 * options: --clients 16,64  --pg jdbc:postgresql://127.0.0.1:5432/test?user=postgres
 *          --client wrk   (drive the server with wrk, one thread per core, instead of Java threads)
 * </pre>
 *
 * <p>The Java client costs the shared two cores about as much CPU per request as the server does;
 * wrk (Debian package {@code wrk}) costs a tenth of that, so its figure is the server's.
 */
public final class ReadBench {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int people = Integer.parseInt(opts.getOrDefault("people", "10000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int[] clients =
        Arrays.stream(opts.getOrDefault("clients", "16,64").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    System.out.println(BenchUtil.machine());
    System.out.printf(
        "Settings: %,d people; %d s per run after 10 s of warm-up (20 s with wrk); clients %s%n",
        people, seconds, Arrays.toString(clients));
    boolean wrk = "wrk".equals(opts.get("client"));
    run("SQLite", Optional.empty(), people, seconds, clients, wrk);
    if (opts.containsKey("pg")) {
      String url = BenchUtil.freshSchema(opts.get("pg"), "read_bench");
      System.out.println(BenchUtil.pgDescription(opts.get("pg")));
      run("PostgreSQL", Optional.of(url), people, seconds, clients, wrk);
    }
  }

  private static void run(
      String engine, Optional<String> dbUrl, int people, int seconds, int[] clients, boolean wrk)
      throws Exception {
    Path dir = Files.createTempDirectory("candor-read-bench");
    Path data = dir.resolve("data");
    List<String> ids;
    Config config = Config.forDataDir(data).withDbUrl(dbUrl);
    try (Candor candor = Candor.open(config)) {
      ids = BenchUtil.createPeople(candor, people, 42);
    }
    long ok = 0;
    try (CandorServer server = CandorServer.start(data, dbUrl, List.of("-Xmx4g"))) {
      String key = service(server);
      // Warm-up (JIT, caches, pools), by the client that measures: wrk for 20 s, as the JIT of
      // the server is still compiling the read path after 10 s.
      ok += wrk ? viaWrk(server, key, ids, 64, 20).ok : throughput(server, key, ids, 16, 10).ok;
      System.out.printf("%n%s, gated profile reads with their access-log entries:%n", engine);
      System.out.println("| clients | reads/s | p50 | p99 | non-200 |");
      System.out.println("|---|---|---|---|---|");
      for (int c : clients) {
        Result r =
            wrk ? viaWrk(server, key, ids, c, seconds) : throughput(server, key, ids, c, seconds);
        ok += r.ok;
        System.out.printf(
            "| %d | %,.0f | %.2f ms | %.2f ms | %d |%n",
            c, r.ok / (double) seconds, r.p50, r.p99, r.failed);
      }
    }
    long logged = countLogged(data, dbUrl);
    // Every 200 must have its row. wrk stops by closing its connections, so reads the server had
    // already logged may never have been counted as answered: more rows than 200s, by at most the
    // number of connections, is expected; fewer is a broken promise.
    String verdict =
        logged < ok
            ? "FEWER ROWS THAN ANSWERS: entries are missing"
            : logged == ok
                ? "equal"
                : (logged - ok) + " more rows: reads in flight when a client stopped";
    System.out.printf(
        "%s: %,d reads answered 200, %,d access-log rows after the server stopped (%s)%n",
        engine, ok, logged, verdict);
    BenchUtil.deleteTree(dir);
  }

  private record Result(long ok, long failed, double p50, double p99) {}

  private static Result viaWrk(
      CandorServer server, String key, List<String> ids, int connections, int seconds)
      throws Exception {
    String lua =
        "local ids = "
            + Wrk.table(ids)
            + "\nlocal headers = {[\"Authorization\"] = "
            + Wrk.quote("Bearer " + key)
            + ", [\"Candor-Purpose\"] = \"account\"}"
            + "\nfunction init(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end"
            + "\nfunction request()"
            + " return wrk.format(\"GET\", \"/v1/users/\" .. ids[math.random(#ids)], headers) end\n";
    Wrk.Result r = Wrk.run(server.port, lua, connections, seconds);
    return new Result(r.ok(), r.non2xx() + r.errors(), r.p50(), r.p99());
  }

  private static Result throughput(
      CandorServer server, String key, List<String> ids, int clients, int seconds)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    long[] oks = new long[clients];
    long[] fails = new long[clients];
    List<long[]> latencies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      int me = t;
      long[] lat = new long[200_000];
      latencies.add(lat);
      Thread th =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int n = 0;
                try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
                  while (!stop.get()) {
                    String id = ids.get(random.nextInt(ids.size()));
                    long start = System.nanoTime();
                    MiniHttp.Response r =
                        http.send("GET", "/v1/users/" + id, key, null, "Candor-Purpose", "account");
                    if (n < lat.length) {
                      lat[n++] = System.nanoTime() - start;
                    }
                    if (r.status() == 200) {
                      oks[me]++;
                    } else {
                      fails[me]++;
                    }
                  }
                } catch (Exception e) {
                  fails[me]++;
                }
                lat[lat.length - 1] = n;
              });
      threads.add(th);
      th.start();
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    long ok = Arrays.stream(oks).sum();
    long failed = Arrays.stream(fails).sum();
    List<Long> all = new ArrayList<>();
    for (long[] lat : latencies) {
      int n = (int) Math.min(lat[lat.length - 1], lat.length - 1);
      for (int i = 0; i < n; i++) {
        all.add(lat[i]);
      }
    }
    long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Result(ok, failed, BenchUtil.pct(sorted, 50), BenchUtil.pct(sorted, 99));
  }

  private static long countLogged(Path data, Optional<String> dbUrl) throws Exception {
    String url = dbUrl.orElse("jdbc:sqlite:" + data.resolve("candor.db"));
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT COUNT(*) FROM access_log WHERE purpose = 'account'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String service(CandorServer server) throws Exception {
    try (MiniHttp admin = new MiniHttp("127.0.0.1", server.port)) {
      MiniHttp.Response r =
          admin.send(
              "POST",
              "/v1/services",
              server.adminToken,
              "{\"name\":\"read-bench\",\"purposes\":[\"account\"]}"
                  .getBytes(StandardCharsets.UTF_8));
      if (r.status() != 201) {
        throw new IllegalStateException("service creation failed: " + r.status() + " " + r.text());
      }
      return app.candor.core.json.Json.mapper().readTree(r.body()).get("apiKey").asText();
    }
  }
}
