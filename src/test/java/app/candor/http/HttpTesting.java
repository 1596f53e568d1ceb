package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.json.Json;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Helpers of the HTTP tests: RFC 9457 problem assertions, JSON bodies, row counts. */
final class HttpTesting {
  private HttpTesting() {}

  /**
   * Asserts {@code r} is an {@code application/problem+json} with {@code status} and the required
   * members; when {@code fields} are given, the {@code errors} list names exactly those fields.
   */
  static JsonNode assertProblem(Http.Response r, int status, String... fields) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.header("Content-Type"))
        .as("content type of %s", r)
        .startsWith("application/problem+json");
    JsonNode body = r.json();
    assertThat(body.path("type").asText()).as("type of %s", r).startsWith("https://");
    assertThat(body.path("title").asText()).as("title of %s", r).isNotBlank();
    assertThat(body.path("status").asInt()).as("status member of %s", r).isEqualTo(status);
    assertThat(body.path("detail").asText()).as("detail of %s", r).isNotBlank();
    if (fields.length > 0) {
      assertThat(errorFields(body)).as("fields named in %s", r).containsExactlyInAnyOrder(fields);
      for (JsonNode e : body.get("errors")) {
        assertThat(e.path("message").asText()).as("message in %s", r).isNotBlank();
      }
    }
    return body;
  }

  /** The distinct field names of the {@code errors} list (empty when there is none). */
  static List<String> errorFields(JsonNode problem) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : problem.path("errors")) {
      String field = e.path("field").asText();
      if (!out.contains(field)) {
        out.add(field);
      }
    }
    return out;
  }

  /** The number of rows in {@code table}. */
  static long rows(TestServer server, String table) {
    Long n =
        server
            .candor()
            .database()
            .<Long, RuntimeException>withHandle(
                h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
    return n;
  }

  /** The text of {@code field} in the JSON object {@code json}. */
  static String jsonField(String json, String field) {
    try {
      return Json.mapper().readTree(json).get(field).asText();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JSON text from a map (insertion order kept when the map keeps it). */
  static String json(Map<String, ?> value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code code} for the verification {@code started} (an answer of /v1/auth/otp). */
  static Http.Response verify(Http http, Http.Response started, String code) {
    return http.post(
        "/v1/auth/otp/verify",
        null,
        json(
            java.util.Map.of(
                "verificationId", started.json().get("verificationId").asText(), "code", code)));
  }
}
