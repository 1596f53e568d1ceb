package app.candor.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import redis.clients.jedis.GeoCoordinate;
import redis.clients.jedis.Jedis;

/**
 * Redis's side of {@link LocationHttpBench}: the same people at the same home positions in one geo
 * key of the local Redis, then the same modes as Candor's, driven by the same {@link LoopClient}
 * with the same connections: {@code GEOADD} of one person per command, {@code GEOADD} of 100 people
 * per command (as a batch), {@code GEOSEARCH}, and searches while updates flow at half load. First
 * with Redis's persistence as configured (read with {@code CONFIG GET} and reported), then, if
 * allowed, with {@code appendonly yes} and {@code appendfsync always} (each reply after the write
 * is fsynced to the append-only file, as Candor's answers follow a durable commit); the original
 * settings are restored afterwards.
 */
final class RedisGeoRun {

  /** What was measured, under which persistence settings, by label. */
  record Outcome(
      String version,
      String persistence,
      Map<String, LoopClient.Result> asConfigured,
      Map<String, LoopClient.Result> durable,
      String durableNote) {}

  private final LocationHttpBench.Settings s;
  private final int port;

  RedisGeoRun(LocationHttpBench.Settings settings, int port) {
    this.s = settings;
    this.port = port;
  }

  Outcome run(GeoLoad load) throws Exception {
    String key = "candor-bench-geo-" + Long.toHexString(System.nanoTime());
    try (Jedis jedis = new Jedis("127.0.0.1", port)) {
      String version = info(jedis, "server", "redis_version");
      long pid = Long.parseLong(info(jedis, "server", "process_id"));
      String appendonly = config(jedis, "appendonly");
      String appendfsync = config(jedis, "appendfsync");
      String persistence =
          String.format(
              "appendonly %s, appendfsync %s, save '%s'",
              appendonly, appendfsync, config(jedis, "save"));
      try {
        loadPeople(jedis, key, load);
        Map<String, LoopClient.Result> configured = modes(load, key, pid, true, "as configured");
        Map<String, LoopClient.Result> durable = new LinkedHashMap<>();
        String note;
        try {
          jedis.configSet("appendonly", "yes");
          awaitRewrite(jedis);
          jedis.configSet("appendfsync", "always");
          note = "appendonly yes, appendfsync always (set for this run, then restored)";
          durable = modes(load, key, pid, false, "appendfsync always");
          // While the append-only file is still on, so that replaying it leaves nothing behind.
          jedis.del(key);
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
          note = "could not switch to appendfsync always: " + e.getMessage();
        } finally {
          jedis.configSet("appendfsync", appendfsync);
          jedis.configSet("appendonly", appendonly);
        }
        return new Outcome(version, persistence, configured, durable, note);
      } finally {
        jedis.del(key);
      }
    }
  }

  private Map<String, LoopClient.Result> modes(
      GeoLoad load, String key, long pid, boolean searches, String label) throws Exception {
    Map<String, LoopClient.Result> out = new LinkedHashMap<>();
    LoopClient.Plan closed =
        LoopClient.Plan.closed(
                port, LoopClient.Protocol.RESP, s.connections(), s.warmup(), s.seconds())
            .cpuOf(pid, ProcessHandle.current().pid());
    LoopClient.Result single =
        measure(
            label,
            "updates",
            closed,
            (n, r) -> load.redisUpdate(key, r.nextInt(load.size()), r),
            null,
            out);
    double half = single.okPerSecond() / 2;
    measure(
        label,
        "paced-updates",
        closed.paced(half),
        (n, r) -> load.redisUpdate(key, r.nextInt(load.size()), r),
        null,
        out);
    measure(
        label,
        "batch",
        closed,
        (n, r) -> load.redisBatch(key, s.batch(), r),
        body -> s.batch(),
        out);
    if (searches) {
      measure(
          label,
          "nearby",
          closed,
          (n, r) -> load.redisNearby(key, r.nextInt(load.size())),
          RedisGeoRun::othersFound,
          out);
    }
    CompletableFuture<LoopClient.Result> paced =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LoopClient.run(
                    closed.paced(half),
                    (n, r) -> load.redisUpdate(key, r.nextInt(load.size()), r),
                    null);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    LoopClient.Result queries =
        LoopClient.run(
            closed,
            (n, r) -> load.redisNearby(key, r.nextInt(load.size())),
            RedisGeoRun::othersFound);
    out.put("mixed-nearby", queries);
    out.put("mixed-updates", paced.join());
    BenchUtil.log(
        "redis (%s): GEOSEARCH during GEOADD at %.0f/s: %.0f/s p99 %.2f ms; GEOADD p99 %.2f ms",
        label, half, queries.okPerSecond(), queries.p99(), out.get("mixed-updates").p99());
    return out;
  }

  /** The people a GEOSEARCH found, the viewer (listed at 0 km) not counted. */
  private static long othersFound(byte[] reply) {
    return Math.max(0, Wire.Resp.arrayLength(reply) - 1);
  }

  private static LoopClient.Result measure(
      String label,
      String mode,
      LoopClient.Plan plan,
      LoopClient.Source source,
      LoopClient.Counter counter,
      Map<String, LoopClient.Result> out)
      throws Exception {
    LoopClient.Result r = LoopClient.run(plan, source, counter);
    out.put(mode, r);
    BenchUtil.log(
        "redis (%s) %s: %.0f replies/s (%.0f counted/s), p50 %.2f ms, p99 %.2f ms, failed %s",
        label, mode, r.okPerSecond(), r.countedPerSecond(), r.p50(), r.p99(), r.failureText());
    return r;
  }

  private static void loadPeople(Jedis jedis, String key, GeoLoad load) {
    for (int from = 0; from < load.size(); from += 10_000) {
      Map<String, GeoCoordinate> batch = new HashMap<>();
      for (int i = from; i < Math.min(load.size(), from + 10_000); i++) {
        batch.put(load.ids.get(i), new GeoCoordinate(load.lon[i], load.lat[i]));
      }
      jedis.geoadd(key, batch);
    }
  }

  /** Turning the append-only file on rewrites it in the background; waits until that is done. */
  private static void awaitRewrite(Jedis jedis) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      if (info(jedis, "persistence", "aof_rewrite_in_progress").equals("0")
          && info(jedis, "persistence", "aof_rewrite_scheduled").equals("0")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("Redis's append-only file rewrite did not finish in 60 s");
  }

  private static String config(Jedis jedis, String name) {
    Map<String, String> values = jedis.configGet(name);
    return values.getOrDefault(name, "?");
  }

  private static String info(Jedis jedis, String section, String field) {
    return jedis
        .info(section)
        .lines()
        .filter(l -> l.startsWith(field + ":"))
        .findFirst()
        .map(l -> l.substring(field.length() + 1).trim())
        .orElse("?");
  }
}
