package app.candor.location;

import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Places and the nearby search over them. Operators and services with the {@code location} purpose
 * import places; anyone signed in searches them. Places are not about people, so no consent or
 * purpose gate applies to reading them.
 */
public final class PlaceService {
  public static final double DEFAULT_RADIUS_KM = 5;
  public static final double MAX_RADIUS_KM = 100;
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  private final PlaceRepository repository;
  private final PlaceIndex index = new PlaceIndex();
  private final Clock clock;

  /** Opens the service and rebuilds the index from the database. */
  public PlaceService(Database database, Clock clock) {
    this.repository = new PlaceRepository(Objects.requireNonNull(database, "database"));
    this.clock = Objects.requireNonNull(clock, "clock");
    index.addAll(repository.all());
  }

  /** A nearby search, validated. */
  public record Query(
      double lat, double lon, double radiusKm, Optional<String> category, int limit) {
    private static final Pattern NUMBER =
        Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

    /**
     * Reads the query parameters ({@code lat}, {@code lon} required; {@code radiusKm}, {@code
     * category}, {@code limit} optional); 400 naming every bad one.
     */
    public static Query parse(Function<String, @Nullable String> param) {
      Validation v = new Validation();
      double lat = number(param.apply("lat"), "lat", v, Double.NaN);
      double lon = number(param.apply("lon"), "lon", v, Double.NaN);
      if (!Double.isNaN(lat)) {
        Place.latProblem(lat).ifPresent(m -> v.add("lat", m));
      }
      if (!Double.isNaN(lon)) {
        Place.lonProblem(lon).ifPresent(m -> v.add("lon", m));
      }
      double radiusKm = number(param.apply("radiusKm"), "radiusKm", v, DEFAULT_RADIUS_KM);
      if (!Double.isNaN(radiusKm) && !(radiusKm > 0 && radiusKm <= MAX_RADIUS_KM)) {
        v.add("radiusKm", "must be more than 0 and at most " + (int) MAX_RADIUS_KM + " (km)");
      }
      Optional<String> category = Optional.ofNullable(param.apply("category"));
      category.flatMap(Place::categoryProblem).ifPresent(m -> v.add("category", m));
      int limit = DEFAULT_LIMIT;
      String rawLimit = param.apply("limit");
      if (rawLimit != null) {
        try {
          limit = Integer.parseInt(rawLimit.strip());
          if (limit < 1 || limit > MAX_LIMIT) {
            v.add("limit", "must be between 1 and " + MAX_LIMIT);
          }
        } catch (NumberFormatException e) {
          v.add("limit", "must be a whole number between 1 and " + MAX_LIMIT);
        }
      }
      v.throwIfInvalid();
      return new Query(lat, lon, radiusKm, category, limit);
    }

    private static double number(@Nullable String raw, String name, Validation v, double fallback) {
      if (raw == null || raw.isBlank()) {
        if (Double.isNaN(fallback)) {
          v.add(name, "is required");
        }
        return fallback;
      }
      String s = raw.strip();
      if (!NUMBER.matcher(s).matches()) {
        v.add(name, "must be a decimal number");
        return Double.NaN;
      }
      double value = Double.parseDouble(s);
      if (!Double.isFinite(value)) {
        v.add(name, "must be a finite number");
        return Double.NaN;
      }
      return value;
    }
  }

  /** A place found nearby, with its distance rounded to whole metres. */
  public record Nearby(
      String id, String name, String category, double lat, double lon, long distanceM) {}

  /** The places near the query point, nearest first; any signed-in caller may search. */
  public List<Nearby> nearby(Caller caller, Query query) {
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    List<Nearby> out = new ArrayList<>();
    for (PlaceIndex.Hit hit :
        index.nearby(
            query.lat(), query.lon(), query.radiusKm() * 1000, query.category(), query.limit())) {
      Place p = hit.place();
      out.add(
          new Nearby(
              p.id(), p.name(), p.category(), p.lat(), p.lon(), Math.round(hit.distanceM())));
    }
    return out;
  }

  /** Who may import: the operators, and services whose key holds the {@code location} purpose. */
  public void requireImporter(Caller caller) {
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    if (caller instanceof Caller.Service s && !s.may(Purpose.LOCATION)) {
      throw CandorException.forbidden("importing places needs a key with the location purpose");
    }
    if (caller instanceof Caller.User) {
      throw CandorException.forbidden("only operators and services with location import places");
    }
  }

  /**
   * Stores the places in one transaction and adds them to the index; returns them with their new
   * ids, in the order given.
   */
  public List<Place> importPlaces(Caller caller, List<Place.Draft> drafts) {
    requireImporter(caller);
    List<Place> places = new ArrayList<>(drafts.size());
    for (Place.Draft d : drafts) {
      places.add(new Place(UUID.randomUUID().toString(), d.name(), d.category(), d.lat(), d.lon()));
    }
    if (places.isEmpty()) {
      return places;
    }
    repository.insertAll(places, caller.label(), clock.millis());
    index.addAll(places);
    return places;
  }

  /** How many places are stored. */
  public long count() {
    return repository.count();
  }

  /** The number of places in the index (equal to {@link #count()} once started). */
  public int indexed() {
    return index.size();
  }
}
