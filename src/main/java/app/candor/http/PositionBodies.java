package app.candor.http;

import app.candor.core.errors.CandorException;
import app.candor.core.errors.CandorException.FieldError;
import app.candor.core.errors.Validation;
import app.candor.location.Position;
import app.candor.location.PositionUpdates;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of position updates, read into {@link Position}s: {@code {lat, lon, accuracyM?,
 * timestamp}} or {@code {batch:[...]}} of them for one person, and {@code {batch:[{userId, ...}]}}
 * for many. Every error names its field ({@code batch[3].lat}).
 */
final class PositionBodies {

  private static final Set<String> FIELDS = Set.of("lat", "lon", "accuracyM", "timestamp");
  private static final Set<String> KEYED_FIELDS =
      Set.of("userId", "lat", "lon", "accuracyM", "timestamp");

  /** What a many-people body held: the good updates, and the others with why. */
  record Many(List<PositionUpdates.Keyed> updates, List<Rejected> rejected) {}

  /** An update refused, with why (as {@code /v1/events} answers). */
  record Rejected(int index, List<FieldError> errors) {}

  private final PositionUpdates rules;

  PositionBodies(PositionUpdates rules) {
    this.rules = rules;
  }

  /** One person's updates; any error rejects the whole body (400 naming every bad field). */
  List<Position> one(JsonNode body) {
    Validation v = new Validation();
    List<Position> out = new ArrayList<>();
    if (body.has("batch")) {
      JsonNode batch = body.get("batch");
      if (body.size() > 1) {
        v.add("batch", "send either {batch:[...]} or one update, not both");
      }
      if (!batch.isArray() || batch.isEmpty()) {
        v.add("batch", "must be a non-empty array of {lat, lon, accuracyM, timestamp}");
      } else {
        requireAtMost(batch);
        for (int i = 0; i < batch.size(); i++) {
          Position p = position(batch.get(i), "batch[" + i + "].", FIELDS, v);
          if (p != null) {
            out.add(p);
          }
        }
      }
    } else {
      Position p = position(body, "", FIELDS, v);
      if (p != null) {
        out.add(p);
      }
    }
    v.throwIfInvalid();
    return out;
  }

  /**
   * Many people's updates: a body that is not {@code {batch:[...]}} is a 400, more than {@link
   * PositionUpdates#MAX_BATCH} a 413; a bad update is rejected alone, the others go on.
   */
  Many many(JsonNode body) {
    JsonNode batch = body.get("batch");
    if (batch == null || !batch.isArray() || batch.isEmpty()) {
      throw CandorException.invalid(
          "batch", "required: a non-empty array of {userId, lat, lon, accuracyM, timestamp}");
    }
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!f.equals("batch")) {
                throw CandorException.invalid(f, "unknown field; the body is {batch:[...]}");
              }
            });
    requireAtMost(batch);
    List<PositionUpdates.Keyed> updates = new ArrayList<>(batch.size());
    List<Rejected> rejected = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      JsonNode node = batch.get(i);
      Validation v = new Validation();
      String userId = userId(node, v);
      Position p = position(node, "", KEYED_FIELDS, v);
      if (v.ok() && p != null && userId != null) {
        updates.add(new PositionUpdates.Keyed(userId, p));
      } else {
        rejected.add(new Rejected(i, v.errors()));
      }
    }
    return new Many(updates, rejected);
  }

  private static void requireAtMost(JsonNode batch) {
    if (batch.size() > PositionUpdates.MAX_BATCH) {
      throw new CandorException(
          CandorException.Kind.PAYLOAD_TOO_LARGE,
          "at most " + PositionUpdates.MAX_BATCH + " updates per request, got " + batch.size());
    }
  }

  private static @Nullable String userId(JsonNode node, Validation v) {
    JsonNode id = node.isObject() ? node.get("userId") : null;
    if (id == null || id.isNull()) {
      if (node.isObject()) {
        v.add("userId", "is required");
      }
      return null;
    }
    if (!id.isTextual() || id.asText().isBlank() || id.asText().length() > 64) {
      v.add("userId", "must be a person id (a string of at most 64 characters)");
      return null;
    }
    return id.asText();
  }

  private @Nullable Position position(
      JsonNode node, String prefix, Set<String> allowed, Validation v) {
    if (!node.isObject()) {
      v.add(
          prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
          "must be an object");
      return null;
    }
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!allowed.contains(f)) {
                v.add(prefix + f, "unknown field; expected " + String.join(", ", order(allowed)));
              }
            });
    Double lat = number(node, prefix, "lat", -90, 90, true, v);
    Double lon = number(node, prefix, "lon", -180, 180, true, v);
    Double accuracy = number(node, prefix, "accuracyM", 0, 100_000, false, v);
    Long at = timestamp(node.get("timestamp"), prefix + "timestamp", v);
    if (lat == null || lon == null || at == null) {
      return null;
    }
    return new Position(lat, lon, accuracy, at);
  }

  private static List<String> order(Set<String> allowed) {
    List<String> out = new ArrayList<>();
    for (String f : List.of("userId", "lat", "lon", "accuracyM", "timestamp")) {
      if (allowed.contains(f)) {
        out.add(f);
      }
    }
    return out;
  }

  private static @Nullable Double number(
      JsonNode node,
      String prefix,
      String field,
      double min,
      double max,
      boolean required,
      Validation v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        v.add(prefix + field, "is required");
      }
      return null;
    }
    if (!value.isNumber()) {
      v.add(prefix + field, "must be a number, got " + kind(value));
      return null;
    }
    double d = value.doubleValue();
    if (!Double.isFinite(d) || d < min || d > max) {
      v.add(prefix + field, "must be between " + fmt(min) + " and " + fmt(max) + ", got " + value);
      return null;
    }
    return d;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private @Nullable Long timestamp(@Nullable JsonNode value, String field, Validation v) {
    if (value == null || value.isNull()) {
      v.add(field, "is required (ISO-8601 with an offset, e.g. 2026-12-01T10:15:30Z)");
      return null;
    }
    if (!value.isTextual()) {
      v.add(field, "must be an ISO-8601 string with an offset, got " + kind(value));
      return null;
    }
    long at;
    try {
      at = OffsetDateTime.parse(value.asText()).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      v.add(field, "must be ISO-8601 with an offset, e.g. 2026-12-01T10:15:30Z");
      return null;
    }
    var problem = rules.timestampProblem(at);
    if (problem.isPresent()) {
      v.add(field, problem.get());
      return null;
    }
    return at;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
