package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageMetricsTest {
  @TempDir Path dir;

  @Test
  void metrics_count_each_event_outcome_and_show_the_writer_backlog() {
    try (TestServer server = TestServer.sqlite(dir)) {
      String key = server.service("feed", "account", "analytics");
      String id = server.person(key);
      server.http().put("/v1/users/" + id + "/consents/analytics", key, "{\"granted\":true}");
      String event =
          "{\"messageId\":\"m-1\",\"userId\":\""
              + id
              + "\",\"type\":\"track\","
              + "\"name\":\"open_chat\",\"timestamp\":\""
              + Instant.now()
              + "\"}";
      String body = "{\"batch\":[" + event + "," + event + ",{\"type\":\"nonsense\"}]}";
      assertThat(server.http().post("/v1/events", key, body).status()).isEqualTo(200);

      String metrics = server.http().get("/metrics", null).text();
      assertThat(metrics)
          .contains("candor_usage_events_total{outcome=\"accepted\"} 1.0")
          .contains("candor_usage_events_total{outcome=\"duplicate\"} 1.0")
          .contains("candor_usage_events_total{outcome=\"rejected\"} 1.0")
          .contains("candor_usage_events_total{outcome=\"dropped_no_consent\"} 0.0")
          .contains("candor_usage_backlog 0.0")
          .containsPattern("candor_usage_rollup_lag [0-9.]+");
      // Once the writer has caught up, nothing waits for the roll-up.
      server.candor().usage().catchUp();
      assertThat(server.http().get("/metrics", null).text())
          .contains("candor_usage_rollup_lag 0.0");
    }
  }
}
