package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.candor.Candor;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL: whom people nearby shows is read from the consent ledger at query
 * time, so a person who stops being visible through one node is no longer shown by the other on its
 * very next answer, although that node's index still lists them.
 */
class TwoNodesNearbyTest {

  @TempDir Path dir;

  @Test
  void a_withdrawal_on_one_node_hides_the_person_on_the_other_at_once() {
    assumeTrue(TestDatabases.pgUrl().isPresent(), "needs CANDOR_TEST_PG_URL");
    String url = TestDatabases.freshPgSchemaUrl();
    try (TestServer a = node(url, dir.resolve("a"));
        TestServer b = node(url, dir.resolve("a"))) {
      String key = a.service("maps", "account", "location", "nearby_discovery");
      String viewer = visible(a, key, 48.8566);
      String shown = visible(a, key, 48.8570);
      // Node b learns of both from the database (its index is rebuilt at start; a position
      // update through b puts the viewer in it).
      move(b.http(), key, viewer, 48.8566);
      move(b.http(), key, shown, 48.8570);
      assertThat(nearby(b.http(), key, viewer)).contains(shown);

      Http.Response withdrawn =
          a.http()
              .put("/v1/users/" + shown + "/consents/nearby_discovery", key, "{\"granted\":false}");
      assertThat(withdrawn.status()).as("%s", withdrawn).isEqualTo(200);

      assertThat(nearby(b.http(), key, viewer)).doesNotContain(shown);
      // Nor is the hidden person counted as shown in their access log from then on.
      long shownBefore = shownCount(b, shown);
      nearby(b.http(), key, viewer);
      assertThat(shownCount(b, shown)).isEqualTo(shownBefore);
    }
  }

  /** A node on the shared database; both nodes share one data dir for its master key. */
  private static TestServer node(String url, Path dir) {
    return TestServer.of(
        Candor.withOutbox(
            TestDatabases.config(TestDatabases.SQLITE, dir).withDbUrl(Optional.of(url))));
  }

  private static String visible(TestServer node, String key, double lat) {
    String id = node.person(key);
    Http http = node.http();
    assertThat(
            http.put(
                    "/v1/users/" + id + "/consents/location",
                    key,
                    "{\"granted\":true,\"level\":\"approximate\"}")
                .status())
        .isEqualTo(200);
    assertThat(
            http.put("/v1/users/" + id + "/consents/nearby_discovery", key, "{\"granted\":true}")
                .status())
        .isEqualTo(200);
    move(http, key, id, lat);
    return id;
  }

  private static void move(Http http, String key, String id, double lat) {
    Http.Response r =
        http.post(
            "/v1/users/" + id + "/locations",
            key,
            "{\"lat\":" + lat + ",\"lon\":2.3522,\"timestamp\":\"" + Instant.now() + "\"}");
    assertThat(r.status()).as("%s", r).isEqualTo(202);
  }

  private static String nearby(Http http, String key, String viewer) {
    Http.Response r = http.get("/v1/users/" + viewer + "/nearby/people", key);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json().get("people").toString();
  }

  private static long shownCount(TestServer node, String subject) {
    return node.candor().accessLog().entries(subject).stream()
        .filter(e -> e.day().isPresent())
        .mapToLong(e -> e.reads())
        .sum();
  }
}
