package app.candor.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The documentation of one route, registered together with its handler so {@code /openapi.json}
 * cannot drift from what the server serves.
 *
 * @param summary one line
 * @param tag the group in the OpenAPI document
 * @param callers who may call it, in words ("admin", "service with account", "the user", "anyone")
 * @param request the JSON schema of the request body, if any
 * @param responses status code to description
 * @param success the schema of the success response, if JSON
 * @param parameters extra header or query parameters (name to description), e.g. Candor-Purpose
 * @param query query parameters (name to description), all optional
 * @param rawRequest the content types of a request body sent as raw bytes (an upload), if any
 * @param rawResponse the content types of a success answer sent as raw bytes (a download), if any
 */
record Op(
    String summary,
    String tag,
    List<String> callers,
    Optional<Map<String, Object>> request,
    Map<Integer, String> responses,
    Optional<Map<String, Object>> success,
    Map<String, String> parameters,
    Map<String, String> query,
    List<String> rawRequest,
    List<String> rawResponse) {

  static Builder of(String tag, String summary) {
    return new Builder(tag, summary);
  }

  /** Fluent construction of an {@link Op}. */
  static final class Builder {
    private final String tag;
    private final String summary;
    private List<String> callers = List.of("anyone");
    private Optional<Map<String, Object>> request = Optional.empty();
    private Optional<Map<String, Object>> success = Optional.empty();
    private final Map<Integer, String> responses = new LinkedHashMap<>();
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, String> query = new LinkedHashMap<>();
    private List<String> rawRequest = List.of();
    private List<String> rawResponse = List.of();

    private Builder(String tag, String summary) {
      this.tag = tag;
      this.summary = summary;
    }

    Builder callers(String... who) {
      callers = List.of(who);
      return this;
    }

    Builder request(Map<String, Object> schema) {
      request = Optional.of(schema);
      return this;
    }

    Builder ok(int status, String description, Map<String, Object> schema) {
      responses.put(status, description);
      success = Optional.of(schema);
      return this;
    }

    Builder ok(int status, String description) {
      responses.put(status, description);
      return this;
    }

    Builder error(int status, String description) {
      responses.put(status, description);
      return this;
    }

    Builder header(String name, String description) {
      parameters.put(name, description);
      return this;
    }

    /** An optional query parameter. */
    Builder query(String name, String description) {
      query.put(name, description);
      return this;
    }

    /** The body is raw bytes of one of {@code contentTypes}, not JSON. */
    Builder rawRequest(java.util.Collection<String> contentTypes) {
      rawRequest = List.copyOf(contentTypes);
      return this;
    }

    /** The success answer is raw bytes of one of {@code contentTypes}, not JSON. */
    Builder rawResponse(java.util.Collection<String> contentTypes) {
      rawResponse = List.copyOf(contentTypes);
      return this;
    }

    Op build() {
      return new Op(
          summary,
          tag,
          callers,
          request,
          Map.copyOf(responses),
          success,
          parameters,
          query,
          rawRequest,
          rawResponse);
    }
  }
}
