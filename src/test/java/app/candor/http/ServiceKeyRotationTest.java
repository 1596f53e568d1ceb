package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotating a key ends the old one at once, even for a key that was just used many times. */
class ServiceKeyRotationTest {
  @TempDir Path dir;

  @Test
  void a_rotated_key_stops_working_at_once_even_after_it_was_used() {
    try (TestServer server = TestServer.sqlite(dir)) {
      String old = server.service("maps", "location");
      String path = "/v1/places/nearby?lat=48.85&lon=2.35";
      assertThat(server.http().get(path, old).status()).isEqualTo(200);
      assertThat(server.http().get(path, old).status()).isEqualTo(200);
      String id = server.candor().services().byName("maps").orElseThrow().id();

      JsonNode rotated =
          server
              .http()
              .send("POST", "/v1/services/" + id + "/rotate-key", TestServer.ADMIN_TOKEN, null)
              .json();
      String fresh = rotated.path("apiKey").asText();

      assertProblem(server.http().get(path, old), 401);
      assertThat(server.http().get(path, fresh).status()).isEqualTo(200);
    }
  }
}
