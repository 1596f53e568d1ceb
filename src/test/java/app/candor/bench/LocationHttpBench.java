package app.candor.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Location like for like (issue 13): Candor's position updates and people nearby over HTTP against
 * Redis's {@code GEOADD} and {@code GEOSEARCH} over its protocol, both from this process, by the
 * same event-loop client ({@link LoopClient}) with the same connections, on the same people and
 * positions ({@link GeoLoad}). Candor runs as its own server process on a fresh SQLite database
 * (and, with {@code --pg}, on a fresh PostgreSQL schema), with recency filtering on; Redis is the
 * local server, with its persistence as configured and then with {@code appendfsync always}.
 *
 * <pre>
 * ./mvnw -q test-compile exec:exec@location-http-bench -Dlocation.http.bench.args='...'
 * options: --people 10000  --cities 50  --connections 64  --warmup 5  --seconds 15  --batch 100
 *          --pg jdbc:postgresql://127.0.0.1:5432/test?user=postgres  --redis-port 6379
 *          --skip-redis true
 * </pre>
 */
public final class LocationHttpBench {

  /** The run's shape, the same for every system measured. */
  record Settings(
      int people, int cities, int connections, double warmup, double seconds, int batch) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Settings s =
        new Settings(
            Integer.parseInt(a.getOrDefault("people", "10000")),
            Integer.parseInt(a.getOrDefault("cities", "50")),
            Integer.parseInt(a.getOrDefault("connections", "64")),
            Double.parseDouble(a.getOrDefault("warmup", "5")),
            Double.parseDouble(a.getOrDefault("seconds", "15")),
            Integer.parseInt(a.getOrDefault("batch", "100")));
    StringBuilder report = new StringBuilder();
    report.append("Date: ").append(java.time.LocalDate.now()).append('\n');
    report.append("Machine: ").append(BenchUtil.machine()).append('\n');
    report.append(
        String.format(
            Locale.ROOT,
            "Settings: %,d people around the %d largest cities of the bundled sample (2 km"
                + " spread), each update within about 300 m of home; %d connections, %.0f s"
                + " warm-up, %.0f s measured per mode; batches of %d.%n",
            s.people(),
            s.cities(),
            s.connections(),
            s.warmup(),
            s.seconds(),
            s.batch()));
    report.append(
        "Client: LoopClient in the benchmark JVM, the same for Candor and Redis: 2 event-loop"
            + " threads over non-blocking connections, one request in flight per connection"
            + " (no pipelining), HTTP/1.1 keep-alive or RESP; the mixed modes pace the updates"
            + " (open loop, latency from when each was due) and run the queries closed loop.\n");
    report.append(
        "Candor server: "
            + CandorLocationRun.SERVER_SETTINGS
            + " (the per-viewer limit, 30 a minute by default, raised to the most the config"
            + " allows: random viewers ask about once a second each); recency on"
            + " (CANDOR_NEARBY_RECENT_MINUTES default 60; every position is from this run); the"
            + " probing limit (12 grid squares an hour per viewer, not configurable) holds because"
            + " nobody leaves the ~4 squares within 300 m of home.\n\n");

    CandorLocationRun candor = new CandorLocationRun(s);
    CandorLocationRun.Outcome sqlite = candor.run("SQLite", Optional.empty());
    report.append(LocationReport.candor(sqlite, s));
    Optional<RedisGeoRun.Outcome> redis = Optional.empty();
    if (!a.containsKey("skip-redis")) {
      java.util.List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < s.people(); i++) {
        ids.add(new java.util.UUID(42, i).toString());
      }
      int port = Integer.parseInt(a.getOrDefault("redis-port", "6379"));
      redis = Optional.of(new RedisGeoRun(s, port).run(GeoLoad.around(ids, s.cities())));
      report.append(LocationReport.redis(redis.get(), s));
    }
    Optional<CandorLocationRun.Outcome> pg = Optional.empty();
    if (a.containsKey("pg")) {
      String url = BenchUtil.freshSchema(a.get("pg"), "location_bench");
      try {
        report.append(BenchUtil.pgDescription(a.get("pg"))).append("\n\n");
        pg = Optional.of(candor.run("PostgreSQL", Optional.of(url)));
        report.append(LocationReport.candor(pg.get(), s));
      } finally {
        BenchUtil.dropSchema(url);
      }
    }
    report.append(LocationReport.summary(sqlite, pg, redis, s));
    System.out.println("\n==================== report ====================\n");
    System.out.println(report);
  }
}
