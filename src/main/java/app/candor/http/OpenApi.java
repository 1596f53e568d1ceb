package app.candor.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the OpenAPI 3.1 document from the routes as registered, so it cannot drift. */
final class OpenApi {
  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

  private OpenApi() {}

  static Map<String, Object> document(List<Api.Route> routes, String version) {
    Map<String, Object> paths = new LinkedHashMap<>();
    for (Api.Route route : routes) {
      @SuppressWarnings("unchecked")
      Map<String, Object> item =
          (Map<String, Object>) paths.computeIfAbsent(route.path(), p -> new LinkedHashMap<>());
      item.put(route.method().name().toLowerCase(java.util.Locale.ROOT), operation(route));
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.1.0");
    doc.put(
        "info",
        Maps.of(
            "title",
            "Candor API",
            "version",
            version,
            "description",
            "The user-data platform of a super app. Errors are RFC 9457 problem+json."
                + " Authorization: Bearer <admin token | service key | user token>."));
    doc.put("paths", paths);
    doc.put("components", components());
    return doc;
  }

  private static Map<String, Object> operation(Api.Route route) {
    Op op = route.op();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("summary", op.summary());
    out.put("tags", List.of(op.tag()));
    out.put("description", "Callers: " + String.join(", ", op.callers()) + ".");
    if (op.callers().equals(List.of("anyone"))) {
      out.put("security", List.of());
    } else {
      out.put("security", List.of(Map.of("bearer", List.of())));
    }
    List<Object> parameters = new ArrayList<>();
    Matcher m = PATH_PARAM.matcher(route.path());
    while (m.find()) {
      parameters.add(
          Maps.of(
              "name",
              m.group(1),
              "in",
              "path",
              "required",
              true,
              "schema",
              Map.of("type", "string")));
    }
    op.parameters()
        .forEach(
            (name, description) ->
                parameters.add(
                    Maps.of(
                        "name",
                        name,
                        "in",
                        "header",
                        "required",
                        false,
                        "description",
                        description,
                        "schema",
                        Map.of("type", "string"))));
    op.query()
        .forEach(
            (name, description) ->
                parameters.add(
                    Maps.of(
                        "name",
                        name,
                        "in",
                        "query",
                        "required",
                        false,
                        "description",
                        description,
                        "schema",
                        Map.of("type", "string"))));
    if (!parameters.isEmpty()) {
      out.put("parameters", parameters);
    }
    op.request()
        .ifPresent(
            schema ->
                out.put(
                    "requestBody",
                    Maps.of(
                        "required",
                        true,
                        "content",
                        Map.of("application/json", Map.of("schema", schema)))));
    if (!op.rawRequest().isEmpty()) {
      out.put("requestBody", Maps.of("required", true, "content", binary(op.rawRequest())));
    }
    Map<String, Object> responses = new LinkedHashMap<>();
    op.responses().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              int status = e.getKey();
              Map<String, Object> response = Maps.of("description", e.getValue());
              if (status >= 400) {
                response.put(
                    "content",
                    Map.of("application/problem+json", Map.of("schema", Schemas.ref("Problem"))));
              } else if (!op.rawResponse().isEmpty()) {
                response.put("content", binary(op.rawResponse()));
              } else if (op.success().isPresent()) {
                response.put(
                    "content", Map.of("application/json", Map.of("schema", op.success().get())));
              }
              responses.put(Integer.toString(status), response);
            });
    responses.putIfAbsent(
        "default",
        Maps.of(
            "description",
            "any other error",
            "content",
            Map.of("application/problem+json", Map.of("schema", Schemas.ref("Problem")))));
    out.put("responses", responses);
    return out;
  }

  /** Raw bytes of each of {@code types}. */
  private static Map<String, Object> binary(List<String> types) {
    Map<String, Object> content = new LinkedHashMap<>();
    types.forEach(
        t -> content.put(t, Map.of("schema", Map.of("type", "string", "format", "binary"))));
    return content;
  }

  private static Map<String, Object> components() {
    Map<String, Object> problem =
        Schemas.object(
            List.of("type", "title", "status", "detail"),
            "type",
            Schemas.string("URI of the problem type"),
            "title",
            Schemas.string("short summary"),
            "status",
            Schemas.integer("HTTP status"),
            "detail",
            Schemas.string("what went wrong, in words"),
            "instance",
            Schemas.string("the request path"),
            "errors",
            Schemas.array(
                Schemas.object(
                    List.of("field", "message"),
                    "field",
                    Schemas.string("the invalid field"),
                    "message",
                    Schemas.string("what is wrong with it"))));
    Map<String, Object> item =
        Schemas.object(
            List.of("field", "description", "purposes", "retention", "encrypted"),
            "field",
            Schemas.string("field name"),
            "description",
            Schemas.string("what it is"),
            "purposes",
            Schemas.array(Schemas.string("purpose id")),
            "retention",
            Schemas.string("how long it is kept"),
            "encrypted",
            Schemas.bool("encrypted at rest with the person's key"),
            "value",
            Schemas.any("the value held (or count)"),
            "count",
            Schemas.integer("number of records held (or value)"),
            "firstCollected",
            Schemas.nullableString("ISO-8601 instant"),
            "lastCollected",
            Schemas.nullableString("ISO-8601 instant"));
    Map<String, Object> categoryReport =
        Schemas.object(
            List.of("id", "title", "items"),
            "id",
            Schemas.string("category id"),
            "title",
            Schemas.string("category title"),
            "items",
            Schemas.array(item));
    Map<String, Object> transparency =
        Schemas.object(
            List.of("generatedAt", "categories"),
            "appName",
            Schemas.string("the app's name"),
            "generatedAt",
            Schemas.string("ISO-8601 instant"),
            "countsAt",
            Schemas.nullableString(
                "ISO-8601 instant the numbers of people were counted (every minute); null until"
                    + " the first count"),
            "categories",
            Schemas.array(
                Schemas.object(
                    List.of(
                        "id",
                        "title",
                        "description",
                        "fields",
                        "purposes",
                        "optional",
                        "encrypted",
                        "retention",
                        "usersWithData"),
                    "id",
                    Schemas.string("category id"),
                    "title",
                    Schemas.string("title"),
                    "description",
                    Schemas.string("what and why"),
                    "fields",
                    Schemas.array(Schemas.any("declared field")),
                    "purposes",
                    Schemas.array(Schemas.string("purpose id")),
                    "optional",
                    Schemas.bool("collected only with consent"),
                    "encrypted",
                    Schemas.bool("at least one field is encrypted at rest"),
                    "retention",
                    Schemas.string("how long"),
                    "usersWithData",
                    Schemas.any(
                        "a number, \"fewer than 10\" below 10 people, or \"not counted yet\""))),
            "purposes",
            Schemas.array(Schemas.any("purpose with legal basis")));
    return Maps.of(
        "schemas",
        Maps.of("Problem", problem, "CategoryReport", categoryReport, "Transparency", transparency),
        "securitySchemes",
        Map.of("bearer", Map.of("type", "http", "scheme", "bearer")));
  }
}
