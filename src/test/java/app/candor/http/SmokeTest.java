package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void a_person_signs_in_and_reads_their_own_data() {
    try (TestServer server = TestServer.sqlite(dir)) {
      String chat = server.service("chat", "account", "messaging");
      String id = server.person(chat);
      String token = server.signIn("sms", "+4915199000001");
      var me = server.http().get("/v1/users/" + id, token);
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().get("name").asText()).isEqualTo("Ana Example 1");
    }
  }
}
