package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The limits on code requests (5 per address per 15 minutes, 30 per client per 10 minutes) are kept
 * in the database: they survive a restart, bind every node on the same database, and keep only
 * keyed hashes, which are deleted once their window has passed.
 */
class SignInLimitsTest {
  private static final String ANA = "ana.limits@example.org";

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static Http.Response ask(Http http, String email) {
    return http.post("/v1/auth/otp", null, json(Map.of("channel", "email", "to", email)));
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_limit_per_address_still_holds_after_a_restart_on_the_same_data(String kind) {
    Config config = TestDatabases.config(kind, dir);
    try (TestServer first = TestServer.of(Candor.withOutbox(config))) {
      for (int i = 1; i <= 5; i++) {
        assertThat(ask(first.http(), ANA).status()).isEqualTo(202);
      }
      assertProblem(ask(first.http(), ANA), 429);
    }
    try (TestServer second = TestServer.of(Candor.withOutbox(config))) {
      Http.Response again = ask(second.http(), ANA);
      assertProblem(again, 429);
      assertThat(again.json().get("detail").asText()).contains("this address");
      assertThat(rows(second, "otp_verifications")).isEqualTo(5);
      // Other addresses are not affected.
      assertThat(ask(second.http(), "bo.limits@example.org").status()).isEqualTo(202);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_limit_per_client_still_holds_after_a_restart_on_the_same_data(String kind) {
    Config config = TestDatabases.config(kind, dir);
    try (TestServer first = TestServer.of(Candor.withOutbox(config))) {
      for (int i = 1; i <= 30; i++) {
        assertThat(ask(first.http(), "client" + i + "@example.org").status()).isEqualTo(202);
      }
      assertProblem(ask(first.http(), "client31@example.org"), 429);
    }
    try (TestServer second = TestServer.of(Candor.withOutbox(config))) {
      Http.Response again = ask(second.http(), "client32@example.org");
      assertProblem(again, 429);
      assertThat(again.json().get("detail").asText()).contains("this client");
      assertThat(rows(second, "otp_verifications")).isEqualTo(30);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void two_nodes_on_one_database_share_the_limit(String kind) {
    Config config = TestDatabases.config(kind, dir);
    try (TestServer a = TestServer.of(Candor.withOutbox(config));
        TestServer b = TestServer.of(Candor.withOutbox(config))) {
      for (int i = 1; i <= 3; i++) {
        assertThat(ask(a.http(), ANA).status()).isEqualTo(202);
      }
      for (int i = 1; i <= 2; i++) {
        assertThat(ask(b.http(), ANA).status()).isEqualTo(202);
      }
      assertProblem(ask(a.http(), ANA), 429);
      assertProblem(ask(b.http(), ANA), 429);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void limits_keep_only_keyed_hashes_and_are_forgotten_when_their_window_has_passed(String kind) {
    MutableClock clock = MutableClock.startingNow();
    try (TestServer server =
        TestServer.of(Candor.withOutbox(TestDatabases.config(kind, dir), clock))) {
      for (int i = 1; i <= 5; i++) {
        assertThat(ask(server.http(), ANA).status()).isEqualTo(202);
      }
      assertProblem(ask(server.http(), ANA), 429);
      List<String> keys =
          server
              .candor()
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT scope || ' ' || key_hash FROM rate_limit_slots")
                          .mapTo(String.class)
                          .list());
      assertThat(keys).hasSize(10);
      assertThat(String.join("\n", keys))
          .doesNotContain("ana.limits", "example.org", "127.0.0.1", "localhost");

      clock.advance(Duration.ofMinutes(15).plusSeconds(1));
      assertThat(ask(server.http(), ANA).status()).isEqualTo(202);
      // The spent slots were deleted; only this request's two are left.
      assertThat(rows(server, "rate_limit_slots")).isEqualTo(2);
    }
  }
}
