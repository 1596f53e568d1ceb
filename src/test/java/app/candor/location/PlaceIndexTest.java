package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The nearby index answers exactly what a scan of every place would, only faster. */
class PlaceIndexTest {
  private static final String[] CATEGORIES = {"city", "restaurant", "shop", "cafe"};

  @Test
  void paris_to_london_is_343_and_a_half_km_on_the_mean_earth_sphere() {
    double d = PlaceIndex.distanceM(48.8566, 2.3522, 51.5074, -0.1278);
    assertThat(d / 1000).isCloseTo(343.5, within(0.5));
    // Against the spherical law of cosines, an independent formula.
    assertThat(d).isCloseTo(lawOfCosines(48.8566, 2.3522, 51.5074, -0.1278), within(0.5));
    assertThat(PlaceIndex.distanceM(0, 0, 0, 180) / 1000)
        .isCloseTo(Math.PI * 6371.0088, within(0.001));
  }

  @Test
  void nearby_finds_london_from_paris_at_its_exact_distance_in_whole_metres() {
    PlaceIndex index = new PlaceIndex();
    Place london = place("London", "city", 51.5074, -0.1278);
    Place brussels = place("Brussels", "city", 50.8503, 4.3517);
    index.addAll(List.of(london, brussels, place("New York", "city", 40.7128, -74.006)));

    List<PlaceIndex.Hit> hits = index.nearby(48.8566, 2.3522, 400_000, Optional.empty(), 10);

    assertThat(hits).extracting(h -> h.place().name()).containsExactly("Brussels", "London");
    assertThat(hits.get(1).distanceM())
        .isEqualTo(PlaceIndex.distanceM(48.8566, 2.3522, 51.5074, -0.1278));
    assertThat(index.nearby(48.8566, 2.3522, 300_000, Optional.empty(), 10))
        .extracting(h -> h.place().name())
        .containsExactly("Brussels");
  }

  @Test
  void answers_match_a_scan_of_every_place_anywhere_on_earth_poles_and_antimeridian_included() {
    Random random = new Random(11);
    List<Place> places = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      places.add(randomPlace(random, i % 3 == 0 ? 2 : 180));
    }
    // Clusters where the geometry is awkward.
    for (int i = 0; i < 3_000; i++) {
      places.add(near(random, 89.99, random.nextDouble() * 360 - 180, 0.5));
      places.add(near(random, random.nextDouble() * 10 - 5, 179.99, 0.5));
      places.add(near(random, -89.99, 0, 0.5));
    }
    PlaceIndex index = new PlaceIndex();
    // Imported in uneven batches, as the API and the CLI do.
    int from = 0;
    while (from < places.size()) {
      int to = Math.min(places.size(), from + 1 + random.nextInt(5_000));
      index.addAll(places.subList(from, to));
      from = to;
    }
    assertThat(index.size()).isEqualTo(places.size());
    assertThat(index.levels())
        .isLessThanOrEqualTo(2 + (int) (Math.log(places.size()) / Math.log(2)));

    for (int q = 0; q < 600; q++) {
      Place at = q % 4 == 0 ? places.get(random.nextInt(places.size())) : randomPlace(random, 90);
      double lat = Math.max(-90, Math.min(90, at.lat() + random.nextGaussian() * 0.05));
      double lon = at.lon();
      double radiusM = (0.5 + random.nextDouble() * 99.5) * 1000;
      int limit = 1 + random.nextInt(100);
      Optional<String> category =
          random.nextBoolean()
              ? Optional.empty()
              : Optional.of(CATEGORIES[random.nextInt(CATEGORIES.length)]);

      List<PlaceIndex.Hit> expected = scan(places, lat, lon, radiusM, category, limit);
      List<PlaceIndex.Hit> actual = index.nearby(lat, lon, radiusM, category, limit);

      String what =
          String.format(
              "query %d at %f,%f r=%f limit=%d %s", q, lat, lon, radiusM, limit, category);
      // Places at the same distance may come in either order; their distances may not.
      assertThat(actual).as(what).hasSameSizeAs(expected);
      for (int i = 0; i < actual.size(); i++) {
        assertThat(actual.get(i).distanceM())
            .as(what)
            .isCloseTo(expected.get(i).distanceM(), within(1e-6));
      }
      assertThat(actual)
          .as(what)
          .doesNotHaveDuplicates()
          .allSatisfy(
              h -> {
                assertThat(h.distanceM())
                    .isEqualTo(PlaceIndex.distanceM(lat, lon, h.place().lat(), h.place().lon()));
                category.ifPresent(c -> assertThat(h.place().category()).isEqualTo(c));
              });
    }
  }

  @Test
  void an_unknown_category_finds_nothing_and_limit_one_finds_the_nearest() {
    PlaceIndex index = new PlaceIndex();
    index.addAll(
        List.of(
            place("A", "city", 10, 10),
            place("B", "city", 10.01, 10),
            place("C", "shop", 10, 10.001)));
    assertThat(index.nearby(10, 10, 5_000, Optional.of("zoo"), 20)).isEmpty();
    assertThat(index.nearby(10, 10, 5_000, Optional.empty(), 1))
        .extracting(h -> h.place().name())
        .containsExactly("A");
    assertThat(index.nearby(10, 10, 5_000, Optional.of("shop"), 20))
        .extracting(h -> h.place().name())
        .containsExactly("C");
  }

  @Test
  void queries_running_during_imports_always_see_whole_imports_in_order() throws Exception {
    PlaceIndex index = new PlaceIndex();
    Random random = new Random(5);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService readers = Executors.newFixedThreadPool(2);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      results.add(
          readers.submit(
              () -> {
                int queries = 0;
                int lastSize = 0;
                while (!done.get() || queries < 100) {
                  List<PlaceIndex.Hit> hits = index.nearby(45, 5, 100_000, Optional.empty(), 50);
                  assertThat(hits)
                      .isSortedAccordingTo(Comparator.comparingDouble(PlaceIndex.Hit::distanceM))
                      .allSatisfy(h -> assertThat(h.distanceM()).isLessThanOrEqualTo(100_000));
                  int size = index.size();
                  assertThat(size % 1_000).as("imports are seen whole").isZero();
                  assertThat(size).isGreaterThanOrEqualTo(lastSize);
                  lastSize = size;
                  queries++;
                }
                return queries;
              }));
    }
    for (int i = 0; i < 60; i++) {
      List<Place> batch = new ArrayList<>();
      for (int j = 0; j < 1_000; j++) {
        batch.add(near(random, 45, 5, 2));
      }
      index.addAll(batch);
    }
    done.set(true);
    for (Future<Integer> f : results) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isPositive();
    }
    readers.shutdown();
    assertThat(index.size()).isEqualTo(60_000);
  }

  private static List<PlaceIndex.Hit> scan(
      List<Place> places,
      double lat,
      double lon,
      double radiusM,
      Optional<String> category,
      int limit) {
    return places.stream()
        .filter(p -> category.isEmpty() || p.category().equals(category.get()))
        .map(p -> new PlaceIndex.Hit(p, PlaceIndex.distanceM(lat, lon, p.lat(), p.lon())))
        .filter(h -> h.distanceM() <= radiusM)
        .sorted(
            Comparator.comparingDouble(PlaceIndex.Hit::distanceM)
                .thenComparing(h -> h.place().id()))
        .limit(limit)
        .toList();
  }

  private static double lawOfCosines(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double cos =
        Math.sin(p1) * Math.sin(p2)
            + Math.cos(p1) * Math.cos(p2) * Math.cos(Math.toRadians(lon2 - lon1));
    return 6_371_008.8 * Math.acos(Math.min(1, cos));
  }

  private static Place randomPlace(Random random, double latSpan) {
    double lat = (random.nextDouble() * 2 - 1) * Math.min(90, latSpan);
    double lon = random.nextDouble() * 360 - 180;
    return place("p", CATEGORIES[random.nextInt(CATEGORIES.length)], lat, lon);
  }

  private static Place near(Random random, double lat, double lon, double spread) {
    double la = lat + random.nextGaussian() * spread;
    // Over a pole is back down the other side (so no two places share the pole itself).
    la = la > 90 ? 180 - la : la < -90 ? -180 - la : la;
    double lo = lon + random.nextGaussian() * spread;
    lo = lo > 180 ? lo - 360 : lo < -180 ? lo + 360 : lo;
    return place("n", CATEGORIES[random.nextInt(CATEGORIES.length)], la, lo);
  }

  private static Place place(String name, String category, double lat, double lon) {
    return new Place(UUID.randomUUID().toString(), name, category, lat, lon);
  }
}
