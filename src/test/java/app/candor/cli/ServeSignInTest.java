package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.Candor;
import app.candor.core.config.ConfigException;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} never keeps codes where an operator could read them: it needs a real sender, or
 * sign-in switched off on purpose, and refuses to start otherwise with a message naming what to
 * set.
 */
class ServeSignInTest {

  @TempDir Path dataDir;
  @TempDir Path logDir;

  private static final String[] VARIABLES = {
    "CANDOR_SMTP_URL",
    "CANDOR_SMS_WEBHOOK_URL",
    "CANDOR_SMS_WEBHOOK_SECRET",
    "CANDOR_CODE_SENDER=none"
  };

  @Test
  void serve_without_a_sender_refuses_to_start_naming_the_variables_and_touches_no_data() {
    assertThatThrownBy(
            () -> ServeCommand.open(new Options(), Map.of("CANDOR_DATA_DIR", dataDir.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContainingAll(VARIABLES);
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  void serve_with_code_sender_none_starts_without_an_outbox_and_sign_in_answers_503() {
    Map<String, String> env =
        Map.of(
            "CANDOR_DATA_DIR",
            dataDir.toString(),
            "CANDOR_PORT",
            "0",
            "CANDOR_ADMIN_TOKEN",
            TestServer.ADMIN_TOKEN,
            "CANDOR_CODE_SENDER",
            "none");
    try (Candor candor = ServeCommand.open(new Options(), env)) {
      Http http = new Http("http://localhost:" + candor.start());
      assertThat(candor.outbox()).isEmpty();
      assertThat(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN).status()).isEqualTo(404);
      Http.Response otp =
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}");
      assertThat(otp.status()).isEqualTo(503);
      assertThat(otp.json().get("detail").asText()).contains("CANDOR_CODE_SENDER=none");
    }
  }

  @Test
  void serve_with_an_smtp_url_starts_without_an_outbox() {
    Map<String, String> env =
        Map.of(
            "CANDOR_DATA_DIR",
            dataDir.toString(),
            "CANDOR_PORT",
            "0",
            "CANDOR_ADMIN_TOKEN",
            TestServer.ADMIN_TOKEN,
            "CANDOR_SMTP_URL",
            "smtp://candor:secret@127.0.0.1:9?starttls=true");
    try (Candor candor = ServeCommand.open(new Options(), env)) {
      Http http = new Http("http://localhost:" + candor.start());
      assertThat(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN).status()).isEqualTo(404);
      assertThat(candor.banner().codes().describe())
          .contains("127.0.0.1:9")
          .doesNotContain("secret");
    }
  }

  @Test
  @Timeout(60)
  void the_serve_command_exits_at_once_with_the_message_when_no_sender_is_set() throws Exception {
    Path log = logDir.resolve("serve.log");
    Process serve = ChildServer.start(dataDir, ChildServer.freePort(), log, Map.of());
    try {
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("serve exited").isTrue();
      assertThat(serve.exitValue()).isEqualTo(2);
      assertThat(Files.readString(log)).contains(VARIABLES);
    } finally {
      serve.destroyForcibly();
    }
  }
}
