package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Candor built as {@code serve} builds it: codes go only through the senders configured, no outbox
 * exists, and a channel without a sender answers 503 naming what to set, storing nothing.
 */
class SignInDeliveryTest {
  // Nothing listens there: these tests never get as far as sending.
  private static final String SMTP = "smtp://127.0.0.1:9?starttls=true";
  private static final String WEBHOOK = "http://127.0.0.1:9/sms";

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static Config.Delivery delivery(
      Optional<String> smtp, Optional<String> webhook, Optional<String> codeSender) {
    return new Config.Delivery(
        smtp,
        "no-reply@candor.test",
        webhook,
        webhook.map(w -> "webhook-secret-0123456789"),
        codeSender);
  }

  /** A fresh data dir (or PostgreSQL schema) each time. */
  private TestServer serve(String kind, Config.Delivery delivery) {
    Path data = dir.resolve(UUID.randomUUID().toString());
    return TestServer.of(Candor.open(TestDatabases.config(kind, data).withDelivery(delivery)));
  }

  private static Http.Response ask(Http http, String channel, String to) {
    return http.post("/v1/auth/otp", null, json(Map.of("channel", channel, "to", to)));
  }

  private static void assertNothingStored(TestServer server) {
    assertThat(rows(server, "otp_verifications")).isZero();
    assertThat(rows(server, "rate_limit_slots")).isZero();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void under_serve_the_outbox_route_does_not_exist(String kind) {
    try (TestServer server =
        serve(kind, delivery(Optional.of(SMTP), Optional.empty(), Optional.empty()))) {
      Http http = server.http();
      assertThat(server.candor().outbox()).isEmpty();
      assertProblem(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN), 404);
      assertProblem(http.get("/v1/admin/outbox", null), 404);
      JsonNode doc = http.get("/openapi.json", null).json();
      assertThat(doc.get("paths").has("/v1/admin/outbox")).isFalse();
      assertThat(doc.get("paths").has("/v1/auth/otp")).isTrue();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_channel_without_a_sender_answers_503_naming_the_variables_and_stores_nothing(String kind) {
    try (TestServer server =
        serve(kind, delivery(Optional.of(SMTP), Optional.empty(), Optional.empty()))) {
      JsonNode problem = assertProblem(ask(server.http(), "sms", "+4915112345678"), 503);
      assertThat(problem.get("detail").asText())
          .contains("CANDOR_SMS_WEBHOOK_URL", "CANDOR_SMS_WEBHOOK_SECRET", "'email'");
      assertNothingStored(server);
      // The configured channel works.
      assertThat(ask(server.http(), "email", "ana@example.org").status()).isEqualTo(202);
    }
    try (TestServer server =
        serve(kind, delivery(Optional.empty(), Optional.of(WEBHOOK), Optional.empty()))) {
      JsonNode problem = assertProblem(ask(server.http(), "email", "ana@example.org"), 503);
      assertThat(problem.get("detail").asText()).contains("CANDOR_SMTP_URL", "'sms'");
      assertNothingStored(server);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void with_code_sender_none_sign_in_answers_503_and_stores_nothing(String kind) {
    try (TestServer server =
        serve(kind, delivery(Optional.empty(), Optional.empty(), Optional.of("none")))) {
      Http http = server.http();
      for (String channel : List.of("sms", "email")) {
        String to = channel.equals("sms") ? "+4915112345678" : "ana@example.org";
        JsonNode problem = assertProblem(ask(http, channel, to), 503);
        assertThat(problem.get("detail").asText())
            .contains("CANDOR_CODE_SENDER=none", "CANDOR_SMTP_URL", "CANDOR_SMS_WEBHOOK_URL");
      }
      JsonNode verify =
          assertProblem(
              http.post(
                  "/v1/auth/otp/verify",
                  null,
                  json(Map.of("verificationId", UUID.randomUUID().toString(), "code", "123456"))),
              503);
      assertThat(verify.get("detail").asText()).contains("switched off");
      assertProblem(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN), 404);
      assertNothingStored(server);
    }
  }

  @Test
  void without_any_sender_sign_in_answers_503() {
    try (TestServer server =
        serve(
            TestDatabases.SQLITE, delivery(Optional.empty(), Optional.empty(), Optional.empty()))) {
      JsonNode problem = assertProblem(ask(server.http(), "email", "ana@example.org"), 503);
      assertThat(problem.get("detail").asText()).contains("CANDOR_SMTP_URL");
      assertNothingStored(server);
    }
  }

  @Test
  void code_sender_none_with_a_sender_configured_is_a_contradiction_refused_at_start() {
    Config config =
        TestDatabases.config(TestDatabases.SQLITE, dir)
            .withDelivery(delivery(Optional.of(SMTP), Optional.empty(), Optional.of("none")));
    Assertions.assertThatThrownBy(() -> Candor.open(config).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_CODE_SENDER=none")
        .hasMessageContaining("CANDOR_SMTP_URL");
  }

  @Test
  void an_smtp_url_that_cannot_work_is_refused_at_start_without_showing_the_password() {
    Config config =
        TestDatabases.config(TestDatabases.SQLITE, dir)
            .withDelivery(
                delivery(
                    Optional.of("smtp://user:hunter2@mail.example.org?tls=yes"),
                    Optional.empty(),
                    Optional.empty()));
    Assertions.assertThatThrownBy(() -> Candor.open(config).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_SMTP_URL")
        .hasMessageContaining("starttls")
        .hasMessageNotContaining("hunter2");
  }
}
