package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.personal.Person;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An acknowledged write survives {@code kill -9} of the server process. */
class ServeDurabilityTest {

  @TempDir Path dataDir;
  @TempDir Path logDir;

  @Test
  @Timeout(60)
  void an_acknowledged_write_survives_kill_minus_nine() throws Exception {
    int port = ChildServer.freePort();
    Path log = logDir.resolve("server.log");
    Process server = start(port, log);
    String id;
    try {
      Http http = new Http("http://localhost:" + port);
      ChildServer.awaitReady(server, http, log);

      Http.Response service =
          http.post(
              "/v1/services",
              TestServer.ADMIN_TOKEN,
              "{\"name\":\"chat\",\"purposes\":[\"account\",\"messaging\"]}");
      assertThat(service.status()).as(service.toString()).isEqualTo(201);
      String key = service.json().get("apiKey").asText();
      Http.Response created =
          http.post(
              "/v1/users",
              key,
              "{\"name\":\"Dura Ble\",\"phone\":\"+4915199123456\","
                  + "\"email\":\"dura@example.org\",\"birthDate\":\"1980-02-29\"}");
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      id = created.json().get("id").asText();
      Http.Response consent =
          http.put("/v1/users/" + id + "/consents/analytics", key, "{\"granted\":true}");
      assertThat(consent.status()).as(consent.toString()).isEqualTo(200);
    } finally {
      // SIGKILL on Linux: no shutdown hook, no checkpoint, no clean close.
      server.destroyForcibly();
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(server.exitValue()).isNotZero();

    Config config = Config.forDataDir(dataDir).withAdminToken(Optional.of(TestServer.ADMIN_TOKEN));
    try (Candor candor = Candor.open(config)) {
      Person person = candor.people().find(id).orElseThrow();
      assertThat(person.name()).isEqualTo("Dura Ble");
      assertThat(person.phone()).contains("+4915199123456");
      assertThat(person.email()).contains("dura@example.org");
      assertThat(person.birthDate()).contains(LocalDate.of(1980, 2, 29));
      assertThat(candor.consents().holds(id, Purpose.ANALYTICS)).isTrue();
      assertThat(candor.services().list()).extracting(r -> r.name()).contains("chat");
    }
  }

  private Process start(int port, Path log) throws IOException {
    return ChildServer.start(dataDir, port, log);
  }
}
