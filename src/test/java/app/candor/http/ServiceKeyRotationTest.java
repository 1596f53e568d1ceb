package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service keys answer from memory once seen (every request presents one); rotating a key must still
 * end the old one at once.
 */
class ServiceKeyRotationTest {
  @TempDir Path dir;

  @Test
  void a_rotated_key_stops_working_at_once_even_after_it_was_remembered() {
    try (TestServer server = TestServer.sqlite(dir)) {
      String old = server.service("maps", "location");
      String path = "/v1/places/nearby?lat=48.85&lon=2.35";
      assertThat(server.http().get(path, old).status()).isEqualTo(200);
      assertThat(server.http().get(path, old).status()).isEqualTo(200);

      String fresh =
          server.candor().services().rotateKey("maps").orElseThrow().apiKey().orElseThrow();

      assertProblem(server.http().get(path, old), 401);
      assertThat(server.http().get(path, fresh).status()).isEqualTo(200);
    }
  }
}
