package app.candor.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What authenticating a bearer token costs end to end: a separate server process answers keep-alive
 * clients on two routes, {@code GET /v1/places/nearby} (an empty places index: almost nothing but
 * the authentication) and {@code GET /v1/users/{id}} with {@code Candor-Purpose: account} (a gated
 * profile read, logged), each first with the admin token (compared in memory, no database read),
 * then with a service key (read from the database at most once per {@code ServiceRegistry.LEASE}
 * per node). The difference between the two on a route is the key check.
 *
 * <p>Run: {@code java -cp <test classpath> app.candor.bench.KeyAuthBench [jdbc:postgresql://...]
 * [threads] [seconds]}; without a URL the server uses SQLite in a temporary data dir.
 */
public final class KeyAuthBench {
  private static final String NEARBY = "/v1/places/nearby?lat=48.85&lon=2.35";
  private static final Pattern KEY = Pattern.compile("\"apiKey\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  private KeyAuthBench() {}

  public static void main(String[] args) throws Exception {
    Optional<String> url =
        args.length > 0 && args[0].startsWith("jdbc:") ? Optional.of(args[0]) : Optional.empty();
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    Path dir = Files.createTempDirectory("candor-keyauth");
    BenchUtil.log("machine: %s", BenchUtil.machine());
    BenchUtil.log("database: %s", url.map(BenchUtil::pgDescription).orElse("SQLite"));
    try (CandorServer server =
        CandorServer.start(
            dir.resolve("data"), url, List.of("-Xmx512m"), Map.of("CANDOR_CODE_SENDER", "none"))) {
      String key;
      String profile;
      try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
        MiniHttp.Response r =
            http.send(
                "POST",
                "/v1/services",
                server.adminToken,
                "{\"name\":\"bench\",\"purposes\":[\"account\",\"location\"]}"
                    .getBytes(StandardCharsets.UTF_8));
        Matcher m = KEY.matcher(r.text());
        if (r.status() != 201 || !m.find()) {
          throw new IllegalStateException("service creation failed: " + r.text());
        }
        key = m.group(1);
        r =
            http.send(
                "POST",
                "/v1/users",
                key,
                "{\"name\":\"Bench Person\",\"phone\":\"+4915100000001\"}"
                    .getBytes(StandardCharsets.UTF_8));
        Matcher id = ID.matcher(r.text());
        if (r.status() != 201 || !id.find()) {
          throw new IllegalStateException("person creation failed: " + r.text());
        }
        profile = "/v1/users/" + id.group(1);
      }
      for (int round = 0; round < 2; round++) {
        for (String path : List.of(NEARBY, profile)) {
          String what = path.equals(NEARBY) ? "places nearby" : "profile read (logged)";
          run(
              server.port,
              path,
              what + ", admin token",
              server.adminToken,
              threads,
              seconds,
              round);
          run(server.port, path, what + ", service key", key, threads, seconds, round);
        }
      }
    } finally {
      BenchUtil.deleteTree(dir);
    }
  }

  private static void run(
      int port, String path, String label, String token, int threads, int seconds, int round)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    AtomicLong done = new AtomicLong();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          pool.submit(
              () -> {
                try (MiniHttp http = new MiniHttp("127.0.0.1", port)) {
                  while (!stop.get()) {
                    MiniHttp.Response r =
                        http.send("GET", path, token, null, "Candor-Purpose", "account");
                    if (r.status() != 200) {
                      throw new IllegalStateException(r.status() + " " + r.text());
                    }
                    if (measuring.get()) {
                      done.incrementAndGet();
                    }
                  }
                }
                return null;
              }));
    }
    Thread.sleep(3_000);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1_000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Future<?> w : workers) {
      w.get();
    }
    pool.shutdown();
    BenchUtil.log(
        "round %d, %-40s %d threads: %,.0f requests/s",
        round + 1, label, threads, done.get() / elapsed);
  }
}
