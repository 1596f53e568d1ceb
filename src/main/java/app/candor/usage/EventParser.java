package app.candor.usage;

import app.candor.core.errors.CandorException.FieldError;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks one event of a batch straight from the request's JSON tokens (no tree): every
 * problem is named, so the client can fix them all at once. Properties and context are not rebuilt:
 * their bytes are taken as sent, to be encrypted as they are.
 */
final class EventParser {

  /**
   * A structurally valid event, before consent and encryption; {@code detail} is the UTF-8 JSON
   * {@code {"properties":...,"context":...}} of what was sent, or null when both were absent.
   */
  record Parsed(
      String userId,
      String messageId,
      String type,
      String name,
      long at,
      byte @Nullable [] detail) {

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
  static final List<String> FIELDS =
      List.of("messageId", "userId", "type", "name", "timestamp", "properties", "context");
  private static final Set<String> CONTEXT_TEXT = Set.of("device", "os", "appVersion", "locale");
  private static final byte[] PROPERTIES = "{\"properties\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CONTEXT = "\"context\":".getBytes(StandardCharsets.UTF_8);

  private final Clock clock;
  private final Duration retention;

  EventParser(Clock clock, Duration retention) {
    this.clock = clock;
    this.retention = retention;
  }

  /** What one event's field held: absent (or null), a string, an object's bytes, or wrong. */
  private static final class Fields {
    @Nullable String messageId;
    @Nullable String userId;
    @Nullable String type;
    @Nullable String name;
    @Nullable String timestamp;
    int propertiesFrom = -1;
    int propertiesTo;
    int contextFrom = -1;
    int contextTo;
  }

  /**
   * Reads the event whose START_OBJECT {@code p} is on, up to its END_OBJECT. {@code body} is the
   * whole request, which {@code p} reads, for the raw bytes of properties and context.
   */
  Result read(JsonParser p, byte[] body, boolean checkSize) throws IOException {
    List<FieldError> errors = new ArrayList<>(0);
    int start = (int) p.currentTokenLocation().getByteOffset();
    Fields f = new Fields();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      switch (field) {
        case "messageId" -> f.messageId = text(p, t, field, errors);
        case "userId" -> f.userId = text(p, t, field, errors);
        case "type" -> f.type = text(p, t, field, errors);
        case "name" -> f.name = text(p, t, field, errors);
        case "timestamp" -> f.timestamp = text(p, t, field, errors);
        case "properties" -> {
          f.propertiesFrom = -1;
          if (object(p, t, field, errors)) {
            f.propertiesFrom = (int) p.currentTokenLocation().getByteOffset();
            skip(p);
            f.propertiesTo = (int) p.currentLocation().getByteOffset();
          }
        }
        case "context" -> {
          f.contextFrom = -1;
          if (object(p, t, field, errors)) {
            f.contextFrom = (int) p.currentTokenLocation().getByteOffset();
            context(p, errors);
            f.contextTo = (int) p.currentLocation().getByteOffset();
          }
        }
        default -> {
          errors.add(new FieldError(field, "unknown field; allowed: " + String.join(", ", FIELDS)));
          skip(p);
        }
      }
    }
    int size = (int) p.currentLocation().getByteOffset() - start;
    if (checkSize && size > MAX_EVENT_BYTES) {
      return new Result(
          null,
          List.of(
              new FieldError("event", "is " + size + " bytes; the limit is " + MAX_EVENT_BYTES)));
    }
    return check(f, body, errors);
  }

  private Result check(Fields f, byte[] body, List<FieldError> errors) {
    String messageId = length(f.messageId, "messageId", 1, 200, true, errors);
    if (messageId != null && unstorable(messageId)) {
      // PostgreSQL text cannot hold NUL, and a lone surrogate has no UTF-8 form: such an id
      // would fail the whole write (or be stored as another id), not just this event.
      errors.add(new FieldError("messageId", "no control characters or lone surrogates"));
    }
    String userId = length(f.userId, "userId", 36, 36, true, errors);
    if (userId != null && !isUuid(userId)) {
      errors.add(new FieldError("userId", "must be a person id (a UUID)"));
    }
    String type = length(f.type, "type", 1, 20, true, errors);
    if (type != null && !TYPES.contains(type)) {
      errors.add(
          new FieldError("type", "must be one of track, screen, session_start, session_end"));
    }
    boolean session = type != null && type.startsWith("session_");
    String name = length(f.name, "name", 1, 200, !session, errors);
    if (name != null && !isName(name)) {
      errors.add(new FieldError("name", "letters, digits, spaces and . _ : / - only"));
    }
    long at = timestamp(length(f.timestamp, "timestamp", 1, 40, true, errors), errors);
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
            detail(f, body)),
        errors);
  }

  /** {@code {"properties":...,"context":...}} from the bytes sent, or null when neither was. */
  private static byte @Nullable [] detail(Fields f, byte[] body) {
    if (f.propertiesFrom < 0 && f.contextFrom < 0) {
      return null;
    }
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(
            32
                + (f.propertiesFrom < 0 ? 0 : f.propertiesTo - f.propertiesFrom)
                + (f.contextFrom < 0 ? 0 : f.contextTo - f.contextFrom));
    out.write('{');
    boolean first = true;
    if (f.propertiesFrom >= 0) {
      out.write(PROPERTIES, 1, PROPERTIES.length - 1);
      out.write(body, f.propertiesFrom, f.propertiesTo - f.propertiesFrom);
      first = false;
    }
    if (f.contextFrom >= 0) {
      if (!first) {
        out.write(',');
      }
      out.write(CONTEXT, 0, CONTEXT.length);
      out.write(body, f.contextFrom, f.contextTo - f.contextFrom);
    }
    out.write('}');
    return out.toByteArray();
  }

  /**
   * Skips the value {@code p} is on, its children too, decoding every string on the way: Jackson
   * decodes a string only when asked, and a bad escape must make the body invalid, not be stored.
   */
  static void skip(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      p.getTextLength();
      return;
    }
    if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
      return;
    }
    int depth = 1;
    while (depth > 0) {
      t = p.nextToken();
      if (t == null) {
        throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected end of input");
      }
      switch (t) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        case VALUE_STRING -> p.getTextLength();
        default -> {}
      }
    }
  }

  /** The context's device, os, appVersion and locale must be strings; the rest is free. */
  private static void context(JsonParser p, List<FieldError> errors) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      if (CONTEXT_TEXT.contains(key) && v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
        errors.add(new FieldError("context." + key, "must be a string"));
      }
      skip(p);
    }
  }

  private static @Nullable String text(
      JsonParser p, JsonToken t, String field, List<FieldError> errors) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t != JsonToken.VALUE_NULL) {
      errors.add(new FieldError(field, "must be a string"));
      skip(p);
    }
    return null;
  }

  private static boolean object(JsonParser p, JsonToken t, String field, List<FieldError> errors)
      throws IOException {
    if (t == JsonToken.START_OBJECT) {
      return true;
    }
    if (t != JsonToken.VALUE_NULL) {
      errors.add(new FieldError(field, "must be a JSON object"));
      skip(p);
    }
    return false;
  }

  private static @Nullable String length(
      @Nullable String s,
      String field,
      int min,
      int max,
      boolean required,
      List<FieldError> errors) {
    if (s == null) {
      if (required && errors.stream().noneMatch(e -> e.field().equals(field))) {
        errors.add(new FieldError(field, "is required"));
      }
      return null;
    }
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

  private long timestamp(@Nullable String raw, List<FieldError> errors) {
    if (raw == null) {
      return 0;
    }
    long at = instant(raw);
    if (at == Long.MIN_VALUE) {
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

  /**
   * Epoch millis of an ISO-8601 date-time with an offset, or Long.MIN_VALUE. The form SDKs send,
   * {@code 2026-11-30T12:00:00Z} with optional milliseconds, is read directly; anything else goes
   * through {@link OffsetDateTime#parse}, which decides.
   */
  static long instant(String s) {
    int n = s.length();
    if ((n == 20 || n == 24)
        && s.charAt(n - 1) == 'Z'
        && s.charAt(4) == '-'
        && s.charAt(7) == '-'
        && s.charAt(10) == 'T'
        && s.charAt(13) == ':'
        && s.charAt(16) == ':'
        && (n == 20 || s.charAt(19) == '.')) {
      int year = digits(s, 0, 4);
      int month = digits(s, 5, 2);
      int day = digits(s, 8, 2);
      int hour = digits(s, 11, 2);
      int minute = digits(s, 14, 2);
      int second = digits(s, 17, 2);
      int milli = n == 24 ? digits(s, 20, 3) : 0;
      if ((year | month | day | hour | minute | second | milli) >= 0
          && hour < 24
          && minute < 60
          && second < 60) {
        try {
          return LocalDate.of(year, month, day).toEpochDay() * 86_400_000L
              + hour * 3_600_000L
              + minute * 60_000L
              + second * 1_000L
              + milli;
        } catch (DateTimeException e) {
          return Long.MIN_VALUE; // no such day (a 31st of a short month, a 29th of February)
        }
      }
    }
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      // ArithmeticException: a valid date-time too far from 1970 for epoch millis (year 10^9).
      return Long.MIN_VALUE;
    }
  }

  /** The decimal number of {@code len} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Control characters and lone surrogates (a pair is one supplementary character, fine). */
  private static boolean unstorable(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL || type == Character.SURROGATE) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  /** Letters, digits (any script), spaces and . _ : / - only. */
  private static boolean isName(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int type = Character.getType(cp);
      boolean ok =
          Character.isLetter(cp)
              || type == Character.DECIMAL_DIGIT_NUMBER
              || type == Character.LETTER_NUMBER
              || type == Character.OTHER_NUMBER
              || cp == ' '
              || cp == '.'
              || cp == '_'
              || cp == ':'
              || cp == '/'
              || cp == '-';
      if (!ok) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /** The canonical 8-4-4-4-12 hexadecimal form, in either case. */
  private static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash
          ? c != '-'
          : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }
}
