package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Expired sign-in sessions are deleted, as the catalog promises: by the housekeeping, and at start.
 */
class SessionPurgeTest {
  private static final String NEARBY = "/v1/places/nearby?lat=48.85&lon=2.35";

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void the_housekeeping_deletes_expired_sessions_and_keeps_live_ones(String kind) {
    MutableClock clock = MutableClock.startingNow();
    Config config = TestDatabases.config(kind, dir);
    try (TestServer server = TestServer.of(Candor.withOutbox(config, clock))) {
      String service = server.service("chat", "account");
      String ana = server.person(service);
      String bo = server.person(service);
      String anaToken = server.signIn("sms", "+4915199000001");
      clock.advance(Duration.ofHours(20));
      String boToken = server.signIn("sms", "+4915199000002");
      clock.advance(Duration.ofHours(5));

      // Refused as soon as it expires, but held until the clean-up.
      assertProblem(server.http().get(NEARBY, anaToken), 401);
      assertThat(HttpTesting.rows(server, "user_tokens")).isEqualTo(2);
      assertThat(server.candor().userTokens().sessions(ana)).hasSize(1);

      server.candor().purgeExpired();

      assertThat(HttpTesting.rows(server, "user_tokens")).isEqualTo(1);
      assertThat(server.candor().userTokens().sessions(ana)).isEmpty();
      assertThat(server.candor().userTokens().sessions(bo)).hasSize(1);
      assertThat(server.http().get(NEARBY, boToken).status()).isEqualTo(200);

      // A session expires exactly at its expiresAt: then it is refused and deleted.
      clock.advance(Duration.ofHours(19));
      assertProblem(server.http().get(NEARBY, boToken), 401);
      server.candor().purgeExpired();
      assertThat(HttpTesting.rows(server, "user_tokens")).isZero();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void sessions_that_expired_while_the_server_was_down_are_deleted_at_start(String kind) {
    MutableClock clock = MutableClock.startingNow();
    Config config = TestDatabases.config(kind, dir);
    try (TestServer server = TestServer.of(Candor.withOutbox(config, clock))) {
      String service = server.service("chat", "account");
      server.person(service);
      server.signIn("sms", "+4915199000001");
      assertThat(HttpTesting.rows(server, "user_tokens")).isEqualTo(1);
    }
    clock.advance(Duration.ofHours(24));
    try (Candor candor = Candor.open(config, clock)) {
      long left =
          candor
              .database()
              .<Long, RuntimeException>withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM user_tokens").mapTo(Long.class).one());
      assertThat(left).isZero();
    }
  }
}
