package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What anyone may read without a token: health, metrics, and the transparency page. */
class PublicPagesTest {
  private static final List<String> CATEGORIES =
      List.of("personal", "usage", "location", "payment", "communication", "marketing");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void health_and_metrics_answer_anyone_and_name_routes_not_people(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      Http.Response live = http.get("/health/live", null);
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.json().get("status").asText()).isEqualTo("up");
      Http.Response ready = http.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().get("status").asText()).isEqualTo("ready");
      assertThat(ready.json().get("database").asText()).isEqualTo(kind);

      String key = server.service("chat", "account");
      String id = server.person(key);
      assertThat(http.get("/v1/users/" + id, key, "Candor-Purpose", "account").status())
          .isEqualTo(200);
      Http.Response metrics = http.get("/metrics", null);
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.header("Content-Type")).startsWith("text/plain");
      assertThat(metrics.text())
          .contains("http_server_requests_seconds_count")
          .contains("route=\"/v1/users/{id}\"")
          .contains("jvm_memory_used_bytes")
          .doesNotContain(id)
          .doesNotContain("+4915199000001");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_transparency_page_answers_what_the_app_collects_from_the_live_catalog(String kind) {
    try (Candor candor = Candor.open(TestDatabases.config(kind, dir).withAppName("Wave <Chat>"))) {
      Http http = new Http("http://localhost:" + candor.start());
      Http.Response page = http.get("/v1/transparency", null);
      assertThat(page.status()).isEqualTo(200);
      JsonNode view = page.json();
      assertThat(view.get("appName").asText()).isEqualTo("Wave <Chat>");
      List<String> ids = new ArrayList<>();
      for (JsonNode c : view.get("categories")) {
        ids.add(c.get("id").asText());
        for (String member :
            List.of(
                "title",
                "description",
                "fields",
                "purposes",
                "optional",
                "encrypted",
                "retention",
                "usersWithData")) {
          assertThat(c.has(member)).as("%s has %s", c.get("id"), member).isTrue();
        }
      }
      assertThat(ids).containsExactlyInAnyOrderElementsOf(CATEGORIES);
      JsonNode personal = personal(view);
      List<String> fields = new ArrayList<>();
      personal.get("fields").forEach(f -> fields.add(f.get("name").asText()));
      assertThat(fields).contains("name", "phone", "email", "birthDate", "gender", "occupation");
      assertThat(personal.get("encrypted").asBoolean()).isTrue();
      // Small numbers are not shown.
      assertThat(personal.get("usersWithData").asText()).isEqualTo("fewer than 10");

      Http.Response service =
          http.post(
              "/v1/services",
              TestServer.ADMIN_TOKEN,
              "{\"name\":\"chat\",\"purposes\":[\"account\"]}");
      String key = service.json().get("apiKey").asText();
      for (int i = 1; i <= 10; i++) {
        Http.Response created =
            http.post(
                "/v1/users",
                key,
                String.format(
                    Locale.ROOT, "{\"name\":\"P %d\",\"email\":\"p%d@example.org\"}", i, i));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
      }
      // The counts are live: taken every minute in the background, here at once.
      candor.transparency().refresh();
      assertThat(personal(http.get("/v1/transparency", null).json()).get("usersWithData").asInt())
          .isEqualTo(10);

      Http.Response html = http.get("/transparency", null);
      assertThat(html.status()).isEqualTo(200);
      assertThat(html.header("Content-Type")).startsWith("text/html");
      assertThat(html.text())
          .contains("<title>What data does Wave &lt;Chat&gt; collect?</title>")
          .doesNotContain("<Chat>");
      for (String field : fields) {
        assertThat(html.text()).contains("<td>" + field + "</td>");
      }
    }
  }

  private static JsonNode personal(JsonNode view) {
    for (JsonNode c : view.get("categories")) {
      if (c.get("id").asText().equals("personal")) {
        return c;
      }
    }
    throw new AssertionError("no personal category in " + view);
  }
}
