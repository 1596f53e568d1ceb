package app.candor.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for the JSON schemas in the OpenAPI document. */
final class Schemas {
  private Schemas() {}

  static Map<String, Object> string(String description) {
    return Map.of("type", "string", "description", description);
  }

  static Map<String, Object> nullableString(String description) {
    return Map.of("type", List.of("string", "null"), "description", description);
  }

  static Map<String, Object> bool(String description) {
    return Map.of("type", "boolean", "description", description);
  }

  static Map<String, Object> integer(String description) {
    return Map.of("type", "integer", "description", description);
  }

  static Map<String, Object> number(String description) {
    return Map.of("type", "number", "description", description);
  }

  /** Exactly one of the given schemas. */
  @SafeVarargs
  static Map<String, Object> oneOf(Map<String, Object>... schemas) {
    return Map.of("oneOf", List.of(schemas));
  }

  static Map<String, Object> array(Map<String, Object> items) {
    return Map.of("type", "array", "items", items);
  }

  static Map<String, Object> any(String description) {
    return Map.of("description", description);
  }

  static Map<String, Object> ref(String name) {
    return Map.of("$ref", "#/components/schemas/" + name);
  }

  /** The {@code rejected} list of a batch answer: each refused item's index and field errors. */
  static Map<String, Object> rejected() {
    return array(
        object(
            List.of("index", "errors"),
            "index",
            integer("position in the batch"),
            "errors",
            array(any("{field, message}"))));
  }

  /** An object; {@code required} lists the mandatory property names. */
  static Map<String, Object> object(List<String> required, Object... nameSchemaPairs) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (int i = 0; i < nameSchemaPairs.length; i += 2) {
      properties.put((String) nameSchemaPairs[i], nameSchemaPairs[i + 1]);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", "object");
    out.put("properties", properties);
    if (!required.isEmpty()) {
      out.put("required", required);
    }
    return out;
  }
}
