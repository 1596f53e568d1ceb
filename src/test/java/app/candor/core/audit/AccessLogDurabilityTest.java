package app.candor.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An access-log entry is on disk before the answer it records is sent: reads answered just before
 * {@code kill -9} are all in the log after a restart, each read its own entry, and each person
 * shown by people nearby counted once per showing.
 */
class AccessLogDurabilityTest {

  @TempDir Path dataDir;
  @TempDir Path logDir;

  @Test
  @Timeout(90)
  void reads_answered_just_before_kill_minus_nine_are_all_in_the_access_log() throws Exception {
    int port = ChildServer.freePort();
    Path log = logDir.resolve("server.log");
    Process server = ChildServer.start(dataDir, port, log);
    String viewer;
    String shown;
    try {
      Http http = new Http("http://localhost:" + port);
      ChildServer.awaitReady(server, http, log);
      String key =
          http.post(
                  "/v1/services",
                  TestServer.ADMIN_TOKEN,
                  "{\"name\":\"maps\",\"purposes\":[\"account\",\"location\",\"nearby_discovery\"]}")
              .json()
              .get("apiKey")
              .asText();
      viewer = visiblePerson(http, key, "Vera Viewer", "+4915199000101", 48.8566);
      shown = visiblePerson(http, key, "Sam Shown", "+4915199000102", 48.8570);

      // Three identical reads in a row, then SIGKILL the moment the last answer is in.
      for (int i = 0; i < 3; i++) {
        Http.Response nearby = http.get("/v1/users/" + viewer + "/nearby/people", key);
        assertThat(nearby.status()).as("%s", nearby).isEqualTo(200);
        assertThat(nearby.json().get("people").toString()).contains(shown);
      }
      Http.Response profile =
          http.send("GET", "/v1/users/" + shown, key, null, "Candor-Purpose", "account");
      assertThat(profile.status()).as("%s", profile).isEqualTo(200);
    } finally {
      server.destroyForcibly();
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    Config config = Config.forDataDir(dataDir).withAdminToken(Optional.of(TestServer.ADMIN_TOKEN));
    try (Candor candor = Candor.open(config)) {
      List<AccessLog.Entry> asked = candor.accessLog().entries(viewer);
      assertThat(asked)
          .as("one entry per read of the viewer's position, none collapsed")
          .hasSize(3)
          .allSatisfy(
              e -> {
                assertThat(e.caller()).isEqualTo("service:maps");
                assertThat(e.purpose()).isEqualTo("nearby_discovery");
                assertThat(e.fields()).containsExactly("location.current");
              });
      List<AccessLog.Entry> seen = candor.accessLog().entries(shown);
      assertThat(seen).hasSize(2);
      AccessLog.Entry counted = seen.stream().filter(e -> e.day().isPresent()).findFirst().get();
      assertThat(counted.reads()).isEqualTo(3);
      assertThat(counted.caller()).isEqualTo("service:maps");
      assertThat(counted.fields()).containsExactly("personal.name", "location.current");
      AccessLog.Entry read = seen.stream().filter(e -> e.day().isEmpty()).findFirst().get();
      assertThat(read.purpose()).isEqualTo("account");
    }
  }

  private static String visiblePerson(Http http, String key, String name, String phone, double lat)
      throws Exception {
    Http.Response created =
        http.post("/v1/users", key, "{\"name\":\"" + name + "\",\"phone\":\"" + phone + "\"}");
    assertThat(created.status()).as("%s", created).isEqualTo(201);
    String id = created.json().get("id").asText();
    String base = "/v1/users/" + id;
    assertThat(
            http.put(
                    base + "/consents/location",
                    key,
                    "{\"granted\":true,\"level\":\"approximate\"}")
                .status())
        .isEqualTo(200);
    assertThat(http.put(base + "/consents/nearby_discovery", key, "{\"granted\":true}").status())
        .isEqualTo(200);
    Http.Response moved =
        http.post(
            base + "/locations",
            key,
            "{\"lat\":" + lat + ",\"lon\":2.3522,\"timestamp\":\"" + Instant.now() + "\"}");
    assertThat(moved.status()).as("%s", moved).isEqualTo(202);
    return id;
  }
}
