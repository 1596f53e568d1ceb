package app.candor.location;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A place people look for nearby: a city, a restaurant, a shop. Places are not data about people,
 * so they carry no subject and are not in the catalog.
 *
 * @param id a UUID, given at import
 * @param name 1 to 200 characters, no control characters
 * @param category a lowercase slug such as {@code city} or {@code restaurant}
 * @param lat degrees north, -90 to 90
 * @param lon degrees east, -180 to 180
 */
public record Place(String id, String name, String category, double lat, double lon) {
  public static final int MAX_NAME_LENGTH = 200;
  private static final Pattern CATEGORY = Pattern.compile("[a-z0-9_-]{1,40}");

  public Place {
    Objects.requireNonNull(id, "id");
    Draft.check(name, category, lat, lon);
  }

  /** A place to import, before it has an id. */
  public record Draft(String name, String category, double lat, double lon) {
    public Draft {
      check(name, category, lat, lon);
    }

    private static void check(String name, String category, double lat, double lon) {
      Optional<String> problem =
          nameProblem(name)
              .or(() -> categoryProblem(category))
              .or(() -> latProblem(lat))
              .or(() -> lonProblem(lon));
      if (problem.isPresent()) {
        throw new IllegalArgumentException("invalid place: " + problem.get());
      }
    }
  }

  /** What is wrong with {@code name}, if anything. */
  public static Optional<String> nameProblem(String name) {
    if (name.isBlank()) {
      return Optional.of("must not be empty");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return Optional.of(
          "must be at most " + MAX_NAME_LENGTH + " characters, got " + name.length());
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      return Optional.of("must not contain control characters");
    }
    if (!name.equals(name.strip())) {
      return Optional.of("must not start or end with spaces");
    }
    return Optional.empty();
  }

  /** What is wrong with {@code category}, if anything. */
  public static Optional<String> categoryProblem(String category) {
    return CATEGORY.matcher(category).matches()
        ? Optional.empty()
        : Optional.of("must be a lowercase slug of 1 to 40 characters [a-z0-9_-], e.g. restaurant");
  }

  /** What is wrong with latitude {@code lat}, if anything. */
  public static Optional<String> latProblem(double lat) {
    if (!Double.isFinite(lat)) {
      return Optional.of("must be a finite number");
    }
    return lat < -90 || lat > 90
        ? Optional.of("must be between -90 and 90 degrees, got " + lat)
        : Optional.empty();
  }

  /** What is wrong with longitude {@code lon}, if anything. */
  public static Optional<String> lonProblem(double lon) {
    if (!Double.isFinite(lon)) {
      return Optional.of("must be a finite number");
    }
    return lon < -180 || lon > 180
        ? Optional.of("must be between -180 and 180 degrees, got " + lon)
        : Optional.empty();
  }
}
