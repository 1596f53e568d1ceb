package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The grid candidate of the places benchmark answers exactly what the k-d tree index and a scan of
 * every place answer, so the benchmark compares two correct indexes.
 */
class PlaceGridCandidateTest {
  private static final String[] CATEGORIES = {"city", "restaurant", "shop", "cafe"};

  @Test
  void answers_match_the_tree_and_a_scan_anywhere_on_earth_poles_and_antimeridian_included() {
    Random random = new Random(23);
    List<Place> places = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      places.add(randomPlace(random));
    }
    // Clusters where the geometry is awkward: both poles, both sides of the antimeridian.
    for (int i = 0; i < 2_000; i++) {
      places.add(place(90 - random.nextDouble() * 0.5, random.nextDouble() * 360 - 180));
      places.add(place(-90 + random.nextDouble() * 0.5, random.nextDouble() * 360 - 180));
      places.add(place(random.nextDouble() * 10 - 5, 180 - random.nextDouble() * 0.5));
      places.add(place(random.nextDouble() * 10 - 5, -180 + random.nextDouble() * 0.5));
      places.add(place(75 + random.nextDouble() * 10, 179 + random.nextDouble() * 2 - 1));
    }
    PlaceIndex tree = new PlaceIndex();
    tree.addAll(places);
    List<PlaceGridCandidate> grids = new ArrayList<>();
    for (double cell : new double[] {0.05, 0.1, 0.25, 2}) {
      grids.add(new PlaceGridCandidate(places, cell));
    }

    int queries = 4_000;
    for (int q = 0; q < queries; q++) {
      double lat;
      double lon;
      switch (q % 5) {
        case 0 -> {
          Place at = places.get(random.nextInt(places.size()));
          lat = clampLat(at.lat() + random.nextGaussian() * 0.05);
          lon = at.lon();
        }
        case 1 -> {
          lat = (random.nextBoolean() ? 1 : -1) * (90 - random.nextDouble() * random.nextDouble());
          lon = random.nextDouble() * 360 - 180;
        }
        case 2 -> {
          lat = random.nextDouble() * 170 - 85;
          lon = random.nextBoolean() ? 180 - random.nextDouble() * 0.3 : -180;
        }
        case 3 -> {
          lat = q % 2 == 0 ? 90 : -90;
          lon = random.nextBoolean() ? 180 : random.nextDouble() * 360 - 180;
        }
        default -> {
          lat = random.nextDouble() * 180 - 90;
          lon = random.nextDouble() * 360 - 180;
        }
      }
      double radiusM =
          switch (q % 3) {
            case 0 -> random.nextDouble() * 5_000;
            case 1 -> random.nextDouble() * 100_000;
            default -> random.nextDouble() * 3_000_000;
          };
      int limit = 1 + random.nextInt(60);
      Optional<String> category =
          random.nextBoolean()
              ? Optional.empty()
              : Optional.of(CATEGORIES[random.nextInt(CATEGORIES.length)]);
      String what =
          String.format(
              "query %d at %f,%f r=%f limit=%d %s", q, lat, lon, radiusM, limit, category);

      List<String> expected = ids(tree.nearby(lat, lon, radiusM, category, limit));
      if (q % 10 == 0) {
        assertThat(expected)
            .as(what)
            .isEqualTo(ids(scan(places, lat, lon, radiusM, category, limit)));
      }
      for (PlaceGridCandidate grid : grids) {
        assertThat(ids(grid.nearby(lat, lon, radiusM, category, limit)))
            .as(what)
            .isEqualTo(expected);
      }
    }
  }

  @Test
  void
      an_unknown_category_finds_nothing_and_a_place_on_the_other_side_of_the_antimeridian_is_near() {
    Place east = place(0, 179.999);
    Place west = place(0, -179.999);
    PlaceGridCandidate grid = new PlaceGridCandidate(List.of(east, west), 0.1);
    assertThat(grid.nearby(0, 180, 1_000, Optional.of("zoo"), 5)).isEmpty();
    assertThat(ids(grid.nearby(0, -180, 1_000, Optional.empty(), 5)))
        .containsExactlyInAnyOrder(east.id(), west.id());
  }

  private static List<String> ids(List<PlaceIndex.Hit> hits) {
    return hits.stream().map(h -> h.place().id()).toList();
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

  private static double clampLat(double lat) {
    return Math.max(-90, Math.min(90, lat));
  }

  private static Place randomPlace(Random random) {
    // Uniform on the sphere.
    double lat = Math.toDegrees(Math.asin(random.nextDouble() * 2 - 1));
    return place(lat, random.nextDouble() * 360 - 180);
  }

  private static Place place(double lat, double lon) {
    String category = CATEGORIES[Math.floorMod(Double.hashCode(lat + lon), CATEGORIES.length)];
    return new Place(UUID.randomUUID().toString(), "p", category, lat, lon);
  }
}
