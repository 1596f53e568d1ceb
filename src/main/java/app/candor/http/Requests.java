package app.candor.http;

import app.candor.core.auth.Authenticator;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Reading requests: who is calling, the JSON body, typed fields, ids. */
final class Requests {

  private final Authenticator authenticator;

  Requests(Authenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  /** The caller; anonymous without a token, 401 for a malformed, unknown or expired token. */
  Caller caller(Context ctx) {
    return bearer(ctx)
        .map(
            token ->
                authenticator
                    .authenticate(token)
                    .orElseThrow(
                        () -> CandorException.unauthenticated("the token is unknown or expired")))
        .orElseGet(Caller.Anonymous::new);
  }

  /** The bearer token as sent, unchecked; 401 for an Authorization header of another scheme. */
  static Optional<String> bearer(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw CandorException.unauthenticated("the Authorization header must be 'Bearer <token>'");
    }
    return Optional.of(header.substring(7).trim());
  }

  /** The caller, who must be signed in somehow. */
  Caller signedIn(Context ctx) {
    Caller caller = caller(ctx);
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    return caller;
  }

  void requireAdmin(Context ctx) {
    if (!(signedIn(ctx) instanceof Caller.Admin)) {
      throw CandorException.forbidden("this route is for operators (the admin token)");
    }
  }

  /** The path id of a person, which must be a canonical UUID; anything else cannot exist. */
  static String id(Context ctx) {
    return id(ctx, "person");
  }

  /** The path id of {@code what}, a canonical UUID; anything else is 404, as an unknown id is. */
  static String id(Context ctx, String what) {
    String raw = ctx.pathParam("id").toLowerCase(java.util.Locale.ROOT);
    try {
      if (raw.length() == 36 && UUID.fromString(raw).toString().equals(raw)) {
        return raw;
      }
    } catch (IllegalArgumentException e) {
      // Falls through: not an id we could ever have issued.
    }
    throw CandorException.notFound(what);
  }

  static Optional<String> purposeHeader(Context ctx) {
    return Optional.ofNullable(ctx.header("Candor-Purpose"));
  }

  /** The body as a JSON object; 415 for a non-JSON content type, 400 for anything malformed. */
  static ObjectNode object(Context ctx) {
    requireJson(ctx);
    byte[] body = ctx.bodyAsBytes();
    if (body.length == 0) {
      throw CandorException.invalid("body", "a JSON object is required");
    }
    JsonNode node;
    try {
      node = Json.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw Json.notJson(e);
    } catch (java.io.IOException e) {
      throw new CandorException(CandorException.Kind.INVALID, "the body could not be read");
    }
    if (node == null || !node.isObject()) {
      throw CandorException.invalid("body", "must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** A body, when sent with a content type, must be sent as application/json. */
  static void requireJson(Context ctx) {
    String type = ctx.contentType();
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new CandorException(
          CandorException.Kind.UNSUPPORTED_MEDIA_TYPE,
          "send the body as application/json, not " + type);
    }
  }

  /**
   * Every property of {@code body} as text: present-and-null becomes empty, non-strings are errors.
   * Absent properties are absent from the map (so PATCH can tell them apart).
   */
  static Map<String, Optional<String>> strings(
      ObjectNode body, List<CandorException.FieldError> typeErrors) {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    body.fields()
        .forEachRemaining(
            e -> {
              JsonNode value = e.getValue();
              if (value.isNull()) {
                out.put(e.getKey(), Optional.empty());
              } else if (value.isTextual()) {
                out.put(e.getKey(), Optional.of(value.asText()));
              } else {
                typeErrors.add(
                    new CandorException.FieldError(
                        e.getKey(), "must be a string, got " + kind(value)));
              }
            });
    return out;
  }

  static String requiredString(ObjectNode body, String field, Validation v) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      v.add(field, "is required");
      return "";
    }
    if (!value.isTextual()) {
      v.add(field, "must be a string, got " + kind(value));
      return "";
    }
    return value.asText();
  }

  static Optional<Boolean> requiredBoolean(ObjectNode body, String field, Validation v) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      v.add(field, "is required (true or false)");
      return Optional.empty();
    }
    if (!value.isBoolean()) {
      v.add(field, "must be true or false, got " + kind(value));
      return Optional.empty();
    }
    return Optional.of(value.asBoolean());
  }

  static void onlyFields(ObjectNode body, Validation v, String... allowed) {
    java.util.List<String> names = java.util.List.of(allowed);
    body.fieldNames()
        .forEachRemaining(
            name -> {
              if (!names.contains(name)) {
                v.add(name, "unknown field; allowed: " + String.join(", ", names));
              }
            });
  }

  static Purpose purpose(String raw, String field) {
    return Purpose.byId(raw)
        .orElseThrow(
            () ->
                CandorException.invalid(field, "unknown purpose; use one of " + Purpose.allIds()));
  }

  static String kind(JsonNode node) {
    if (node.isNumber()) return "a number";
    if (node.isBoolean()) return "a boolean";
    if (node.isArray()) return "an array";
    if (node.isObject()) return "an object";
    if (node.isTextual()) return "a string";
    return "null";
  }
}
