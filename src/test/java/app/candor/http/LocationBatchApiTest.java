package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.candor.Candor;
import app.candor.http.LocationApiTest.World;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/locations}, many people's updates at once, and the order of updates and
 * withdrawals: what was acknowledged before a withdrawal is deleted by it, what comes after it is
 * refused, on one node and across two.
 */
class LocationBatchApiTest {

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static String update(String userId, double lat, double lon, Instant at) {
    return String.format(
        Locale.ROOT,
        "{\"userId\":\"%s\",\"lat\":%.7f,\"lon\":%.7f,\"accuracyM\":8,\"timestamp\":\"%s\"}",
        userId,
        lat,
        lon,
        at);
  }

  private static String batch(List<String> updates) {
    return "{\"batch\":[" + String.join(",", updates) + "]}";
  }

  private static List<Map<String, Object>> points(World w, String id) {
    return w.server
        .candor()
        .database()
        .<List<Map<String, Object>>, RuntimeException>withHandle(
            h ->
                h.createQuery(
                        "SELECT level, position_ct, flagged FROM (SELECT * FROM location_points UNION ALL SELECT * FROM location_log) p"
                            + " WHERE subject_id = :s ORDER BY at")
                    .bind("s", id)
                    .mapToMap()
                    .list());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void many_peoples_updates_are_stored_at_each_level_and_every_one_is_accounted_for(String kind) {
    try (World w = World.start(kind, dir)) {
      String precise = w.person("precise", true);
      String approximate = w.person("approximate", false);
      String withheld = w.person();
      Instant t = Instant.now().minusSeconds(60);
      Http.Response r =
          w.http.post(
              "/v1/locations",
              w.maps,
              batch(
                  List.of(
                      update(precise, 48.8566, 2.3522, t),
                      update(precise, 48.8570, 2.3525, t.plusSeconds(10)),
                      update(approximate, 48.8600, 2.3400, t),
                      update(withheld, 48.8600, 2.3400, t),
                      update("no-such-person", 48.8600, 2.3400, t),
                      "{\"userId\":\""
                          + precise
                          + "\",\"lat\":200,\"lon\":2,\"timestamp\":\""
                          + t
                          + "\"}",
                      "{\"lat\":48.1,\"lon\":2.1,\"timestamp\":\"" + t + "\"}",
                      "17")));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      JsonNode body = r.json();
      assertThat(body.get("stored").asInt()).isEqualTo(3);
      assertThat(body.get("flagged").asInt()).isZero();
      assertThat(body.get("droppedNoConsent").asInt()).isEqualTo(2);
      JsonNode rejected = body.get("rejected");
      assertThat(rejected).hasSize(3);
      assertThat(rejected.get(0).get("index").asInt()).isEqualTo(5);
      assertThat(rejected.get(0).get("errors").get(0).get("field").asText()).isEqualTo("lat");
      assertThat(rejected.get(1).get("index").asInt()).isEqualTo(6);
      assertThat(rejected.get(1).get("errors").get(0).get("field").asText()).isEqualTo("userId");
      assertThat(rejected.get(2).get("index").asInt()).isEqualTo(7);

      List<Map<String, Object>> exact = points(w, precise);
      assertThat(exact).hasSize(2).allSatisfy(p -> assertThat(p.get("position_ct")).isNotNull());
      assertThat(exact).allSatisfy(p -> assertThat(p.get("level")).isEqualTo("precise"));
      List<Map<String, Object>> square = points(w, approximate);
      assertThat(square).hasSize(1);
      assertThat(square.get(0).get("position_ct")).isNull();
      assertThat(square.get(0).get("level")).isEqualTo("approximate");
      assertThat(points(w, withheld)).isEmpty();

      // The people-nearby index took the durable updates: the precise person sees the other.
      String viewer = w.person("approximate", true);
      w.consent(approximate, "nearby_discovery", "{\"granted\":true}");
      assertThat(w.move(viewer, 48.8601, 2.3401).status()).isEqualTo(202);
      assertThat(w.nearby(viewer, "?radiusKm=5").toString()).contains(precise);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void bad_bodies_and_callers_get_problems_and_store_nothing(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", true);
      Instant t = Instant.now();
      String good = batch(List.of(update(id, 48.85, 2.35, t)));
      assertProblem(w.http.post("/v1/locations", w.maps, "{not json"), 400);
      assertProblem(w.http.post("/v1/locations", w.maps, "{}"), 400, "batch");
      assertProblem(w.http.post("/v1/locations", w.maps, "{\"batch\":[]}"), 400, "batch");
      assertProblem(w.http.post("/v1/locations", w.maps, "{\"batch\":{}}"), 400, "batch");
      assertProblem(w.http.post("/v1/locations", w.maps, "[1,2]"), 400);
      assertProblem(
          w.http.post(
              "/v1/locations",
              w.maps,
              "{\"batch\":[" + update(id, 48.85, 2.35, t) + "],\"extra\":1}"),
          400,
          "extra");
      List<String> many = new ArrayList<>();
      for (int i = 0; i < 1_001; i++) {
        many.add(update(id, 48.85, 2.35, t.minusSeconds(i)));
      }
      assertProblem(w.http.post("/v1/locations", w.maps, batch(many)), 413);
      assertProblem(w.http.post("/v1/locations", null, good), 401);
      assertProblem(w.http.post("/v1/locations", "cnd_wrong", good), 401);
      assertProblem(w.http.post("/v1/locations", w.accounts, good), 403);
      assertProblem(w.http.post("/v1/locations", TestServer.ADMIN_TOKEN, good), 403);
      assertThat(points(w, id)).isEmpty();
      assertThat(w.http.post("/v1/locations", w.maps, good).status()).isEqualTo(200);
      assertThat(points(w, id)).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void an_update_acknowledged_before_a_withdrawal_is_deleted_by_it_and_one_after_is_refused(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", true);
      assertThat(w.move(id, 48.8566, 2.3522).status()).isEqualTo(202);
      Http.Response many =
          w.http.post(
              "/v1/locations",
              w.maps,
              batch(List.of(update(id, 48.8567, 2.3523, Instant.now().plusSeconds(1)))));
      assertThat(many.json().get("stored").asInt()).isEqualTo(1);
      assertThat(points(w, id)).hasSize(2);

      w.consent(id, "location", "{\"granted\":false}");
      assertThat(points(w, id)).isEmpty();

      assertProblem(w.move(id, 48.8568, 2.3524), 403);
      Http.Response after =
          w.http.post(
              "/v1/locations", w.maps, batch(List.of(update(id, 48.8568, 2.3524, Instant.now()))));
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.json().get("stored").asInt()).isZero();
      assertThat(after.json().get("droppedNoConsent").asInt()).isEqualTo(1);
      assertThat(points(w, id)).isEmpty();
    }
  }

  /**
   * Two nodes on one PostgreSQL: a withdrawal through one node deletes what the other stored, and
   * the other refuses the next update at once, although its consent cache still says yes (the
   * writer checks the ledger inside its transaction).
   */
  @Test
  void a_withdrawal_on_one_node_is_obeyed_by_the_other_at_once() {
    assumeTrue(TestDatabases.pgUrl().isPresent(), "needs CANDOR_TEST_PG_URL");
    String url = TestDatabases.freshPgSchemaUrl();
    try (TestServer a = node(url, dir.resolve("n"));
        TestServer b = node(url, dir.resolve("n"))) {
      String key = a.service("maps", "account", "location");
      String id = a.person(key);
      Http.Response granted =
          a.http()
              .put(
                  "/v1/users/" + id + "/consents/location",
                  key,
                  "{\"granted\":true,\"level\":\"precise\"}");
      assertThat(granted.status()).isEqualTo(200);
      String one = batch(List.of(update(id, 48.8566, 2.3522, Instant.now())));
      assertThat(b.http().post("/v1/locations", key, one).json().get("stored").asInt())
          .isEqualTo(1);
      assertThat(LocationApiTest.points(b, id)).isEqualTo(1);

      assertThat(
              a.http()
                  .put("/v1/users/" + id + "/consents/location", key, "{\"granted\":false}")
                  .status())
          .isEqualTo(200);
      assertThat(LocationApiTest.points(b, id)).isZero();

      String two = batch(List.of(update(id, 48.8567, 2.3523, Instant.now())));
      Http.Response refused = b.http().post("/v1/locations", key, two);
      assertThat(refused.json().get("droppedNoConsent").asInt()).isEqualTo(1);
      assertProblem(
          b.http()
              .post(
                  "/v1/users/" + id + "/locations",
                  key,
                  "{\"lat\":48.8,\"lon\":2.3,\"timestamp\":\"" + Instant.now() + "\"}"),
          403);
      assertThat(LocationApiTest.points(b, id)).isZero();
    }
  }

  /**
   * An erasure through one node: the other, whose cache still knows the person, refuses their next
   * update (the writer finds no key in its transaction) and stores nothing.
   */
  @Test
  void an_erasure_on_one_node_is_obeyed_by_the_other_at_once() {
    assumeTrue(TestDatabases.pgUrl().isPresent(), "needs CANDOR_TEST_PG_URL");
    String url = TestDatabases.freshPgSchemaUrl();
    try (TestServer a = node(url, dir.resolve("e"));
        TestServer b = node(url, dir.resolve("e"))) {
      String key = a.service("maps", "account", "location");
      String id = a.person(key);
      a.http()
          .put(
              "/v1/users/" + id + "/consents/location",
              key,
              "{\"granted\":true,\"level\":\"approximate\"}");
      String path = "/v1/users/" + id + "/locations";
      String body = "{\"lat\":48.8,\"lon\":2.3,\"timestamp\":\"" + Instant.now() + "\"}";
      assertThat(b.http().post(path, key, body).status()).isEqualTo(202);

      assertThat(a.http().delete("/v1/users/" + id, TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);

      assertProblem(b.http().post(path, key, body), 404);
      String one = batch(List.of(update(id, 48.8567, 2.3523, Instant.now())));
      assertThat(b.http().post("/v1/locations", key, one).json().get("droppedNoConsent").asInt())
          .isEqualTo(1);
      assertThat(LocationApiTest.points(b, id)).isZero();
    }
  }

  private static TestServer node(String url, Path dir) {
    return TestServer.of(
        Candor.withOutbox(
            TestDatabases.config(TestDatabases.SQLITE, dir).withDbUrl(Optional.of(url))));
  }
}
