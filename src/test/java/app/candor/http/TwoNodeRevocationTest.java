package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two server processes on one database: this test's Candor (node 1) and {@code candor serve} in a
 * child JVM (node 2). A key or token that node 2 has just accepted (and so holds a lease on, for a
 * service key), ended on node 1 (or the other way round), is refused by node 2 on its very next
 * request.
 */
class TwoNodeRevocationTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final String NEARBY = "/v1/places/nearby?lat=48.85&lon=2.35";

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(180)
  void keys_and_tokens_ended_on_one_node_are_refused_on_the_other_at_once(String kind)
      throws Exception {
    Config config = TestDatabases.config(kind, dir.resolve("node1"));
    String url =
        config
            .dbUrl()
            .orElse("jdbc:sqlite:" + dir.resolve("node1").resolve("candor.db").toAbsolutePath());
    try (TestServer one = TestServer.of(Candor.withOutbox(config))) {
      int port = ChildServer.freePort();
      Path log = dir.resolve("node2.log");
      Process node2 =
          ChildServer.start(
              dir.resolve("node2"),
              port,
              log,
              Map.of(
                  "CANDOR_DB_URL",
                  url,
                  "CANDOR_MASTER_KEY_FILE",
                  config.masterKeyFile().toAbsolutePath().toString(),
                  "CANDOR_CODE_SENDER",
                  "none"));
      try {
        Http two = new Http("http://localhost:" + port);
        ChildServer.awaitReady(node2, two, log);
        Http first = one.http();

        // A rotated key: used (and so remembered, were there a cache) on node 2, rotated on 1.
        String rotated = one.service("rotated", "account");
        String rotatedId = one.candor().services().byName("rotated").orElseThrow().id();
        useTwice(two, rotated);
        Http.Response r =
            first.send("POST", "/v1/services/" + rotatedId + "/rotate-key", ADMIN, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertProblem(two.get(NEARBY, rotated), 401);
        assertThat(two.get(NEARBY, r.json().get("apiKey").asText()).status()).isEqualTo(200);

        // A revoked service: its key used on node 2, the service revoked on node 1.
        String revoked = one.service("revoked", "account");
        String revokedId = one.candor().services().byName("revoked").orElseThrow().id();
        useTwice(two, revoked);
        assertThat(first.delete("/v1/services/" + revokedId, ADMIN).status()).isEqualTo(200);
        assertProblem(two.get(NEARBY, revoked), 401);

        // The other way round: used on node 1, rotated on node 2.
        String back = one.service("back", "account");
        String backId = one.candor().services().byName("back").orElseThrow().id();
        useTwice(first, back);
        assertThat(two.send("POST", "/v1/services/" + backId + "/rotate-key", ADMIN, null).status())
            .isEqualTo(200);
        assertProblem(first.get(NEARBY, back), 401);

        // A user token signed out on node 1, and one whose session an operator ended there.
        String service = one.service("chat", "account");
        String person = one.person(service);
        String signedOut = one.signIn("sms", "+4915199000001");
        String ended = one.signIn("sms", "+4915199000001");
        useTwice(two, signedOut);
        useTwice(two, ended);
        assertThat(first.send("POST", "/v1/auth/logout", signedOut, null).status()).isEqualTo(204);
        assertProblem(two.get(NEARBY, signedOut), 401);
        assertThat(two.get(NEARBY, ended).status()).isEqualTo(200);
        String sessionId = one.candor().userTokens().sessions(person).get(0).sessionId();
        assertThat(first.delete("/v1/users/" + person + "/sessions/" + sessionId, ADMIN).status())
            .isEqualTo(204);
        assertProblem(two.get(NEARBY, ended), 401);
      } finally {
        node2.destroy();
        if (!node2.waitFor(30, TimeUnit.SECONDS)) {
          node2.destroyForcibly();
        }
      }
    }
  }

  private static void useTwice(Http node, String token) {
    for (int i = 0; i < 2; i++) {
      Http.Response r = node.get(NEARBY, token);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
  }
}
