package app.candor.usage;

import app.candor.core.errors.CandorException.FieldError;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Checks one event of a batch; every problem is named, so the client can fix them all at once. */
final class EventParser {

  /** A structurally valid event, before consent and encryption. */
  record Parsed(
      String userId,
      String messageId,
      String type,
      String name,
      long at,
      @Nullable JsonNode properties,
      @Nullable JsonNode context) {

    @Override
    public String toString() {
      return "Parsed[" + type + ", masked]";
    }
  }

  /** The outcome for one event: parsed, or the errors that reject it. */
  record Result(@Nullable Parsed event, List<FieldError> errors) {}

  static final int MAX_EVENT_BYTES = 32 * 1024;
  static final Duration MAX_FUTURE = Duration.ofMinutes(10);
  private static final Set<String> TYPES =
      Set.of(UsageEvent.TRACK, UsageEvent.SCREEN, UsageEvent.SESSION_START, UsageEvent.SESSION_END);
  private static final Set<String> FIELDS =
      Set.of("messageId", "userId", "type", "name", "timestamp", "properties", "context");
  private static final Set<String> CONTEXT_TEXT = Set.of("device", "os", "appVersion", "locale");

  private static final java.util.regex.Pattern UNSTORABLE =
      java.util.regex.Pattern.compile("[\\p{Cc}\\p{Cs}]");

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[\\p{L}\\p{N} ._:/-]+");

  private final Clock clock;
  private final Duration retention;

  EventParser(Clock clock, Duration retention) {
    this.clock = clock;
    this.retention = retention;
  }

  Result parse(JsonNode node, boolean checkSize) {
    List<FieldError> errors = new ArrayList<>();
    if (!node.isObject()) {
      errors.add(new FieldError("event", "must be a JSON object"));
      return new Result(null, errors);
    }
    int size = checkSize ? size(node) : 0;
    if (size > MAX_EVENT_BYTES) {
      errors.add(new FieldError("event", "is " + size + " bytes; the limit is " + MAX_EVENT_BYTES));
      return new Result(null, errors);
    }
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                errors.add(
                    new FieldError(f, "unknown field; allowed: " + String.join(", ", FIELDS)));
              }
            });
    String messageId = text(node, "messageId", 1, 200, true, errors);
    if (messageId != null && UNSTORABLE.matcher(messageId).find()) {
      // PostgreSQL text cannot hold NUL, and a lone surrogate has no UTF-8 form: such an id
      // would fail the whole write (or be stored as another id), not just this event.
      errors.add(new FieldError("messageId", "no control characters or lone surrogates"));
    }
    String userId = text(node, "userId", 36, 36, true, errors);
    if (userId != null && !isUuid(userId)) {
      errors.add(new FieldError("userId", "must be a person id (a UUID)"));
    }
    String type = text(node, "type", 1, 20, true, errors);
    if (type != null && !TYPES.contains(type)) {
      errors.add(
          new FieldError("type", "must be one of track, screen, session_start, session_end"));
    }
    boolean session = type != null && type.startsWith("session_");
    String name = text(node, "name", 1, 200, !session, errors);
    if (name != null && !NAME.matcher(name).matches()) {
      errors.add(new FieldError("name", "letters, digits, spaces and . _ : / - only"));
    }
    long at = timestamp(node, errors);
    JsonNode properties = object(node, "properties", errors);
    JsonNode context = object(node, "context", errors);
    if (context != null) {
      for (String key : CONTEXT_TEXT) {
        JsonNode v = context.get(key);
        if (v != null && !v.isNull() && !v.isTextual()) {
          errors.add(new FieldError("context." + key, "must be a string"));
        }
      }
    }
    if (!errors.isEmpty()) {
      return new Result(null, errors);
    }
    return new Result(
        new Parsed(
            userId.toLowerCase(Locale.ROOT),
            messageId,
            type,
            name == null ? type : name,
            at,
            properties,
            context),
        errors);
  }

  private long timestamp(JsonNode node, List<FieldError> errors) {
    String raw = text(node, "timestamp", 1, 40, true, errors);
    if (raw == null) {
      return 0;
    }
    long at;
    try {
      at = OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      // ArithmeticException: a valid date-time too far from 1970 for epoch millis (year 10^9).
      errors.add(
          new FieldError(
              "timestamp", "must be ISO-8601 with an offset, e.g. 2026-11-30T12:00:00Z"));
      return 0;
    }
    long now = clock.millis();
    if (at > now + MAX_FUTURE.toMillis()) {
      errors.add(new FieldError("timestamp", "is more than 10 minutes in the future"));
    } else if (at < now - retention.toMillis()) {
      errors.add(
          new FieldError(
              "timestamp", "is older than the usage retention of " + retention.toDays() + " days"));
    }
    return at;
  }

  private static @Nullable String text(
      JsonNode node, String field, int min, int max, boolean required, List<FieldError> errors) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        errors.add(new FieldError(field, "is required"));
      }
      return null;
    }
    if (!v.isTextual()) {
      errors.add(new FieldError(field, "must be a string"));
      return null;
    }
    String s = v.asText();
    if (s.length() < min || s.length() > max) {
      errors.add(
          new FieldError(
              field,
              min == max
                  ? "must be " + min + " characters"
                  : "must be " + min + " to " + max + " characters"));
      return null;
    }
    return s;
  }

  private static @Nullable JsonNode object(JsonNode node, String field, List<FieldError> errors) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      errors.add(new FieldError(field, "must be a JSON object"));
      return null;
    }
    return v;
  }

  private static int size(JsonNode node) {
    try {
      return Json.mapper().writeValueAsBytes(node).length;
    } catch (JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static boolean isUuid(String s) {
    try {
      return UUID.fromString(s).toString().equalsIgnoreCase(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
