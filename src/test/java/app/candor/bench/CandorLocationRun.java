package app.candor.bench;

import app.candor.Candor;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Candor's side of {@link LocationHttpBench}: a server in its own process on a fresh database,
 * {@code people} people created in process beforehand (each with {@code location} consent, half at
 * the precise level and half at the approximate, {@code nearby_discovery} and {@code analytics}),
 * three services (one per purpose), one position update per person through the API, then each mode
 * driven by {@link LoopClient}. After the server stops, the stored updates are counted against the
 * acknowledged ones.
 */
final class CandorLocationRun {

  /** What a run measured; {@code batchAbsent} when {@code POST /v1/locations} answered 404. */
  record Outcome(
      String engine,
      Map<String, LoopClient.Result> results,
      Optional<String> batchAbsent,
      double halfRate,
      String stored) {}

  /** The server's settings for the benchmark, printed with the results. */
  static final Map<String, String> SERVER_SETTINGS =
      Map.of("CANDOR_NEARBY_QUERIES_PER_MINUTE", "100000");

  private final LocationHttpBench.Settings s;

  CandorLocationRun(LocationHttpBench.Settings settings) {
    this.s = settings;
  }

  Outcome run(String engine, Optional<String> dbUrl) throws Exception {
    Path dir = Files.createTempDirectory("candor-location-http-bench");
    Path data = dir.resolve("data");
    try {
      List<String> ids;
      try (Candor candor = Candor.open(Config.forDataDir(data).withDbUrl(dbUrl))) {
        ids = BenchUtil.createPeople(candor, s.people(), 42);
        grantConsents(candor, ids);
      }
      GeoLoad load = GeoLoad.around(ids, s.cities());
      BenchUtil.log("location-http %s: %d people with consents created", engine, ids.size());
      Map<String, LoopClient.Result> results = new LinkedHashMap<>();
      Optional<String> absent;
      double half;
      long acknowledged = 0;
      try (CandorServer server =
          CandorServer.start(data, dbUrl, List.of("-Xmx4g"), SERVER_SETTINGS)) {
        String updates = service(server, "bench-updates", "location");
        String nearby = service(server, "bench-nearby", "nearby_discovery");
        String events = service(server, "bench-events", "analytics");
        long[] pids = {server.pid(), ProcessHandle.current().pid()};
        LoopClient.Plan closed =
            LoopClient.Plan.closed(
                    server.port, LoopClient.Protocol.HTTP, s.connections(), s.warmup(), s.seconds())
                .cpuOf(pids);

        // Everyone's first position, which people nearby needs of viewers and of those shown.
        LoopClient.Result seed =
            LoopClient.run(
                closed.requests(ids.size()),
                (n, r) -> load.candorUpdate((int) n, r, updates),
                null);
        if (seed.failed() > 0) {
          throw new IllegalStateException("seeding positions failed: " + seed.failureText());
        }
        acknowledged += seed.countedAll();
        BenchUtil.log("location-http %s: one position per person stored", engine);

        LoopClient.Result single =
            measure(
                engine,
                "updates",
                closed,
                (n, r) -> load.candorUpdate(r.nextInt(load.size()), r, updates),
                null,
                results);
        acknowledged += single.countedAll();
        half = single.okPerSecond() / 2;
        acknowledged +=
            measure(
                    engine,
                    "paced-updates",
                    closed.paced(half),
                    (n, r) -> load.candorUpdate(r.nextInt(load.size()), r, updates),
                    null,
                    results)
                .countedAll();
        measure(
            engine,
            "nearby",
            closed,
            (n, r) -> load.candorNearby(r.nextInt(load.size()), nearby),
            body -> GeoLoad.occurrences(body, "userId"),
            results);
        absent = batchRouteAbsent(server, load, updates);
        if (absent.isEmpty()) {
          acknowledged +=
              measure(
                      engine,
                      "batch",
                      closed,
                      (n, r) -> load.candorBatch(s.batch(), r, updates),
                      body -> GeoLoad.jsonNumber(body, "stored"),
                      results)
                  .countedAll();
        }
        measure(
            engine,
            "events",
            closed,
            (n, r) -> load.candorEvents(s.batch(), r, events),
            body -> GeoLoad.jsonNumber(body, "accepted"),
            results);

        // Queries at full speed while updates flow, paced, at half the rate measured above.
        CompletableFuture<LoopClient.Result> paced =
            CompletableFuture.supplyAsync(
                () ->
                    call(
                        () ->
                            LoopClient.run(
                                closed.paced(half),
                                (n, r) -> load.candorUpdate(r.nextInt(load.size()), r, updates),
                                null)));
        LoopClient.Result queries =
            LoopClient.run(
                closed,
                (n, r) -> load.candorNearby(r.nextInt(load.size()), nearby),
                body -> GeoLoad.occurrences(body, "userId"));
        LoopClient.Result pacedUpdates = paced.join();
        acknowledged += pacedUpdates.countedAll();
        results.put("mixed-nearby", queries);
        results.put("mixed-updates", pacedUpdates);
        BenchUtil.log(
            "location-http %s: nearby during updates at %.0f/s: %.0f queries/s p99 %.2f ms;"
                + " updates %.0f/s p99 %.2f ms",
            engine,
            half,
            queries.okPerSecond(),
            queries.p99(),
            pacedUpdates.okPerSecond(),
            pacedUpdates.p99());
      }
      long rows = countRows(data, dbUrl);
      String stored =
          rows < acknowledged
              ? String.format(
                  "FEWER ROWS (%,d) THAN ACKNOWLEDGED UPDATES (%,d): updates are missing",
                  rows, acknowledged)
              : String.format(
                  "%,d updates acknowledged, %,d rows in location_points and location_log after the server stopped"
                      + " (%,d more: in flight when a run stopped)",
                  acknowledged, rows, rows - acknowledged);
      return new Outcome(engine, results, absent, half, stored);
    } finally {
      BenchUtil.deleteTree(dir);
    }
  }

  private LoopClient.Result measure(
      String engine,
      String mode,
      LoopClient.Plan plan,
      LoopClient.Source source,
      LoopClient.Counter counter,
      Map<String, LoopClient.Result> results)
      throws Exception {
    LoopClient.Result r = LoopClient.run(plan, source, counter);
    results.put(mode, r);
    BenchUtil.log(
        "location-http %s %s: %.0f answers/s (%.0f counted/s), p50 %.2f ms, p99 %.2f ms, failed %s",
        engine, mode, r.okPerSecond(), r.countedPerSecond(), r.p50(), r.p99(), r.failureText());
    return r;
  }

  /** Empty if {@code POST /v1/locations} takes a batch; else why not (it 404s before it lands). */
  private Optional<String> batchRouteAbsent(CandorServer server, GeoLoad load, String key)
      throws Exception {
    byte[] request = load.candorBatch(1, new java.util.Random(1), key);
    String text = new String(request, StandardCharsets.UTF_8);
    byte[] body = text.substring(text.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8);
    try (MiniHttp http = new MiniHttp("127.0.0.1", server.port)) {
      MiniHttp.Response r = http.send("POST", "/v1/locations", key, body);
      if (r.status() / 100 == 2) {
        return Optional.empty();
      }
      return Optional.of(
          "POST /v1/locations answered "
              + r.status()
              + (r.status() == 404 ? " (the route is not in this commit)" : ": " + r.text()));
    }
  }

  private static void grantConsents(Candor candor, List<String> ids) {
    long now = System.currentTimeMillis();
    for (int from = 0; from < ids.size(); from += 1000) {
      int start = from;
      candor
          .database()
          .useTransaction(
              h -> {
                for (int i = start; i < Math.min(ids.size(), start + 1000); i++) {
                  String id = ids.get(i);
                  String level = GeoLoad.precise(i) ? "precise" : "approximate";
                  var consents = candor.consents();
                  consents.write(h, id, Purpose.LOCATION, true, Optional.of(level), "bench", now);
                  consents.write(
                      h, id, Purpose.NEARBY_DISCOVERY, true, Optional.empty(), "bench", now);
                  consents.write(h, id, Purpose.ANALYTICS, true, Optional.empty(), "bench", now);
                }
              });
    }
  }

  private static long countRows(Path data, Optional<String> dbUrl) throws Exception {
    String url = dbUrl.orElse("jdbc:sqlite:" + data.resolve("candor.db"));
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT (SELECT COUNT(*) FROM location_points) + (SELECT COUNT(*) FROM location_log)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String service(CandorServer server, String name, String purpose) throws Exception {
    try (MiniHttp admin = new MiniHttp("127.0.0.1", server.port)) {
      MiniHttp.Response r =
          admin.send(
              "POST",
              "/v1/services",
              server.adminToken,
              ("{\"name\":\"" + name + "\",\"purposes\":[\"" + purpose + "\"]}")
                  .getBytes(StandardCharsets.UTF_8));
      if (r.status() != 201) {
        throw new IllegalStateException("service creation failed: " + r.status() + " " + r.text());
      }
      return app.candor.core.json.Json.mapper().readTree(r.body()).get("apiKey").asText();
    }
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  private static <T> T call(Call<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
