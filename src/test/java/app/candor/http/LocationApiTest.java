package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Position updates and people nearby over a real socket, on each database: consent decides what is
 * stored and at which precision, bad updates store nothing, people nearby shows bands and never
 * positions, withdrawal and erasure take a person out at once, and probing is refused.
 */
class LocationApiTest {
  static final double LAT = 48.8566;
  static final double LON = 2.3522;

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server with an account service, a location service and a nearby service. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final Http http;
    final String accounts;
    final String maps;
    final String nearby;

    /** Registers the services, named with {@code suffix} (a restarted server keeps the first). */
    World(TestServer server, String suffix) {
      this.server = server;
      http = server.http();
      accounts = server.service("accounts" + suffix, "account");
      maps = server.service("maps" + suffix, "location");
      nearby = server.service("nearby" + suffix, "nearby_discovery");
    }

    static World start(String kind, Path dir) {
      return new World(TestServer.start(kind, dir), "");
    }

    String person() {
      return server.person(accounts);
    }

    void consent(String id, String purpose, String body) {
      Http.Response r = http.put("/v1/users/" + id + "/consents/" + purpose, accounts, body);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    /** A person at the given level of location consent, visible to people nearby or not. */
    String person(String level, boolean visible) {
      String id = person();
      consent(id, "location", "{\"granted\":true,\"level\":\"" + level + "\"}");
      if (visible) {
        consent(id, "nearby_discovery", "{\"granted\":true}");
      }
      return id;
    }

    Http.Response move(String id, double lat, double lon) {
      return move(id, lat, lon, Instant.now());
    }

    Http.Response move(String id, double lat, double lon, Instant at) {
      return http.post(
          "/v1/users/" + id + "/locations",
          maps,
          String.format(
              Locale.ROOT,
              "{\"lat\":%.7f,\"lon\":%.7f,\"accuracyM\":12,\"timestamp\":\"%s\"}",
              lat,
              lon,
              at));
    }

    JsonNode nearby(String viewer, String query) {
      Http.Response r = http.get("/v1/users/" + viewer + "/nearby/people" + query, nearby);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      return r.json().get("people");
    }

    /** The one stored position update: its ciphertext and level. */
    Map<String, Object> onlyPoint() {
      return server
          .candor()
          .database()
          .<Map<String, Object>, RuntimeException>withHandle(
              h ->
                  h.createQuery(
                          "SELECT position_ct, level FROM (SELECT * FROM location_points UNION ALL SELECT * FROM location_log) p")
                      .mapToMap()
                      .one());
    }

    long points(String id) {
      return LocationApiTest.points(server, id);
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** The person's stored updates, in the log or already moved into the history. */
  static long points(TestServer server, String id) {
    return server
        .candor()
        .database()
        .<Long, RuntimeException>withHandle(
            h ->
                h.createQuery(
                        "SELECT (SELECT COUNT(*) FROM location_points WHERE subject_id = :s)"
                            + " + (SELECT COUNT(*) FROM location_log WHERE subject_id = :s)")
                    .bind("s", id)
                    .mapTo(Long.class)
                    .one());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void without_location_consent_nothing_is_stored(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person();
      assertProblem(w.move(id, LAT, LON), 403);
      w.consent(id, "nearby_discovery", "{\"granted\":true}");
      assertProblem(w.move(id, LAT, LON), 403);
      assertThat((rows(w.server, "location_points") + rows(w.server, "location_log"))).isZero();
      assertThat(rows(w.server, "location_current")).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void the_approximate_level_stores_only_the_grid_square(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("approximate", false);
      Http.Response r = w.move(id, LAT, LON);
      assertThat(r.status()).as("%s", r).isEqualTo(202);
      assertThat(r.json().get("stored").asInt()).isEqualTo(1);
      assertThat(r.json().get("precision").asText()).isEqualTo("approximate");
      Map<String, Object> row = w.onlyPoint();
      assertThat(row.get("position_ct")).isNull();
      assertThat(row.get("level")).isEqualTo("approximate");
      // The report shows the grid square's centre, not the position sent.
      JsonNode current = item(w, id, "current");
      double lat = current.path("value").path("lat").asDouble();
      double lon = current.path("value").path("lon").asDouble();
      assertThat(lat).isNotEqualTo(LAT);
      assertThat(app.candor.location.Grid.distanceKm(lat, lon, LAT, LON)).isLessThan(0.8);
      assertThat(current.path("value").path("precision").asText()).isEqualTo("approximate");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void precise_positions_are_exported_decrypted_as_csv_and_geojson(String kind) throws Exception {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", false);
      Instant t = Instant.now().minusSeconds(600);
      String batch =
          String.format(
              Locale.ROOT,
              "{\"batch\":[{\"lat\":%s,\"lon\":%s,\"timestamp\":\"%s\"},"
                  + "{\"lat\":48.8606,\"lon\":2.3376,\"accuracyM\":8.5,\"timestamp\":\"%s\"}]}",
              LAT,
              LON,
              t,
              t.plusSeconds(300));
      Http.Response r = w.http.post("/v1/users/" + id + "/locations", w.maps, batch);
      assertThat(r.status()).as("%s", r).isEqualTo(202);
      assertThat(r.json().get("stored").asInt()).isEqualTo(2);
      assertThat(r.json().get("precision").asText()).isEqualTo("precise");

      JsonNode current = item(w, id, "current");
      assertThat(current.path("value").path("lat").asDouble()).isEqualTo(48.8606);
      assertThat(current.path("value").path("accuracyM").asDouble()).isEqualTo(8.5);
      assertThat(item(w, id, "history").path("count").asInt()).isEqualTo(2);
      assertThat(item(w, id, "history").path("encrypted").asBoolean()).isFalse();
      assertThat(item(w, id, "exactPositions").path("count").asInt()).isEqualTo(2);
      assertThat(item(w, id, "exactPositions").path("encrypted").asBoolean()).isTrue();

      Http.Response export = w.http.get("/v1/users/" + id + "/export", TestServer.ADMIN_TOKEN);
      Map<String, String> files = unzip(export.body());
      assertThat(files.get("location-history.csv"))
          .contains("48.8566,2.3522")
          .contains("48.8606,2.3376,8.5");
      JsonNode geo =
          app.candor.core.json.Json.mapper().readTree(files.get("location-history.geojson"));
      assertThat(geo.path("type").asText()).isEqualTo("FeatureCollection");
      assertThat(geo.path("features").get(1).path("geometry").path("coordinates").get(0).asDouble())
          .isEqualTo(2.3376);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void moving_to_the_approximate_level_forgets_the_precise_positions(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", false);
      assertThat(w.move(id, LAT, LON).status()).isEqualTo(202);
      w.consent(id, "location", "{\"granted\":true,\"level\":\"approximate\"}");
      Map<String, Object> row = w.onlyPoint();
      assertThat(row.get("position_ct")).isNull();
      assertThat(row.get("level")).isEqualTo("approximate");
      JsonNode current = item(w, id, "current");
      assertThat(current.path("value").path("lat").asDouble()).isNotEqualTo(LAT);
      assertThat(current.path("value").has("accuracyM")).isFalse();
      // The report no longer lists exact positions: none is kept.
      JsonNode report = w.http.get("/v1/users/" + id + "/data", TestServer.ADMIN_TOKEN).json();
      assertThat(report.toString()).doesNotContain("exactPositions").contains("\"history\"");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void bad_updates_are_rejected_naming_the_field_and_store_nothing(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", true);
      String path = "/v1/users/" + id + "/locations";
      String now = Instant.now().toString();
      assertProblem(
          w.http.post(path, w.maps, "{\"lat\":91,\"lon\":2,\"timestamp\":\"" + now + "\"}"),
          400,
          "lat");
      assertProblem(
          w.http.post(path, w.maps, "{\"lat\":\"48\",\"lon\":181,\"timestamp\":\"" + now + "\"}"),
          400,
          "lat",
          "lon");
      assertProblem(w.http.post(path, w.maps, "{\"lat\":48,\"lon\":2}"), 400, "timestamp");
      assertProblem(
          w.http.post(path, w.maps, "{\"lat\":48,\"lon\":2,\"timestamp\":\"yesterday\"}"),
          400,
          "timestamp");
      assertProblem(
          w.http.post(
              path,
              w.maps,
              "{\"lat\":48,\"lon\":2,\"timestamp\":\"" + Instant.now().plusSeconds(3600) + "\"}"),
          400,
          "timestamp");
      assertProblem(
          w.http.post(
              path,
              w.maps,
              "{\"lat\":48,\"lon\":2,\"timestamp\":\""
                  + Instant.now().minusSeconds(31L * 86400)
                  + "\"}"),
          400,
          "timestamp");
      assertProblem(
          w.http.post(
              path,
              w.maps,
              "{\"lat\":48,\"lon\":2,\"accuracyM\":-1,\"alt\":3,\"timestamp\":\"" + now + "\"}"),
          400,
          "accuracyM",
          "alt");
      assertProblem(w.http.post(path, w.maps, "{\"lat\":NaN,\"lon\":2}"), 400);
      assertProblem(w.http.post(path, w.maps, "{\"batch\":[]}"), 400, "batch");
      assertProblem(w.http.post(path, w.maps, "[1,2]"), 400);
      assertProblem(w.http.post(path, w.maps, "{\"lat\":"), 400);
      // One bad update in a batch: nothing of the batch is stored.
      assertProblem(
          w.http.post(
              path,
              w.maps,
              "{\"batch\":[{\"lat\":48,\"lon\":2,\"timestamp\":\""
                  + now
                  + "\"},{\"lat\":48,\"lon\":-200,\"timestamp\":\""
                  + now
                  + "\"}]}"),
          400,
          "batch[1].lon");
      StringBuilder big = new StringBuilder("{\"batch\":[");
      for (int i = 0; i < 1001; i++) {
        big.append(i == 0 ? "" : ",")
            .append("{\"lat\":48,\"lon\":2,\"timestamp\":\"")
            .append(now)
            .append("\"}");
      }
      assertProblem(w.http.post(path, w.maps, big.append("]}").toString()), 413);
      assertThat((rows(w.server, "location_points") + rows(w.server, "location_log"))).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void only_the_person_and_services_with_the_purpose_may_send_or_ask(String kind) {
    try (World w = World.start(kind, dir)) {
      String id = w.person("precise", true);
      String body = "{\"lat\":48,\"lon\":2,\"timestamp\":\"" + Instant.now() + "\"}";
      String path = "/v1/users/" + id + "/locations";
      assertProblem(w.http.post(path, null, body), 401);
      assertProblem(w.http.post(path, w.nearby, body), 403);
      assertProblem(w.http.post(path, TestServer.ADMIN_TOKEN, body), 403);
      assertProblem(
          w.http.post("/v1/users/" + java.util.UUID.randomUUID() + "/locations", w.maps, body),
          404);
      assertProblem(w.http.get("/v1/users/" + id + "/nearby/people", w.maps), 403);
      assertProblem(w.http.get("/v1/users/" + id + "/nearby/people", null), 401);
      assertThat((rows(w.server, "location_points") + rows(w.server, "location_log"))).isZero();
      // The person themself, signed in, and no one else.
      String self =
          w.server.personFrom(w.accounts, "{\"name\":\"Bo Self\",\"phone\":\"+4915199888777\"}");
      w.consent(self, "location", "{\"granted\":true,\"level\":\"precise\"}");
      String token = w.server.signIn("sms", "+4915199888777");
      assertProblem(w.http.post(path, token, body), 404);
      assertProblem(w.http.get("/v1/users/" + id + "/nearby/people", token), 404);
      assertThat(w.http.post("/v1/users/" + self + "/locations", token, body).status())
          .isEqualTo(202);
      assertThat((rows(w.server, "location_points") + rows(w.server, "location_log"))).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void people_nearby_shows_bands_of_visible_people_and_never_positions(String kind) {
    try (World w = World.start(kind, dir)) {
      String viewer = w.person("precise", true);
      String near = w.person("precise", true);
      String threeKm = w.person("approximate", true);
      String invisible = w.person("precise", false);
      String far = w.person("precise", true);
      assertThat(w.move(viewer, LAT, LON).status()).isEqualTo(202);
      assertThat(w.move(near, LAT + 0.0005, LON + 0.0005).status()).isEqualTo(202);
      assertThat(w.move(threeKm, LAT + 0.027, LON).status()).isEqualTo(202);
      assertThat(w.move(invisible, LAT, LON).status()).isEqualTo(202);
      assertThat(w.move(far, 45.764, 4.8357).status()).isEqualTo(202);

      JsonNode people = w.nearby(viewer, "?radiusKm=5&limit=20");
      assertThat(people).hasSize(2);
      assertThat(people.get(0).path("userId").asText()).isEqualTo(near);
      assertThat(people.get(0).path("name").asText()).isNotBlank();
      assertThat(people.get(1).path("userId").asText()).isEqualTo(threeKm);
      // 60 m away in the same or the next grid square; 3 km north, two or three squares away.
      assertThat(people.get(0).path("distance").asText()).isIn("under 1 km", "1-2 km");
      assertThat(people.get(1).path("distance").asText()).isIn("2-5 km", "1-2 km");
      assertThat(people.get(1).path("distance").asText())
          .isNotEqualTo(people.get(0).path("distance").asText());
      for (JsonNode p : people) {
        assertThat(p.fieldNames())
            .toIterable()
            .containsExactlyInAnyOrder("userId", "name", "distance");
      }
      assertThat(w.nearby(viewer, "?radiusKm=1&limit=20")).hasSize(1);
      assertThat(w.nearby(viewer, "?limit=1")).hasSize(1);

      assertProblem(
          w.http.get("/v1/users/" + viewer + "/nearby/people?radiusKm=0", w.nearby),
          400,
          "radiusKm");
      assertProblem(
          w.http.get("/v1/users/" + viewer + "/nearby/people?radiusKm=51", w.nearby),
          400,
          "radiusKm");
      assertProblem(
          w.http.get("/v1/users/" + viewer + "/nearby/people?radiusKm=x&limit=0", w.nearby),
          400,
          "radiusKm",
          "limit");
      assertProblem(
          w.http.get("/v1/users/" + viewer + "/nearby/people?lat=1", w.nearby), 400, "lat");
      // The service's read is in the viewer's access log (their position was used).
      JsonNode asked =
          w.http.get("/v1/users/" + viewer + "/access-log", TestServer.ADMIN_TOKEN).json();
      assertThat(asked.get("entries"))
          .anySatisfy(
              e -> {
                assertThat(e.path("service").asText()).isEqualTo("service:nearby");
                assertThat(e.path("purpose").asText()).isEqualTo("nearby_discovery");
                assertThat(e.path("fields").toString()).contains("location.current");
              });
      // Only those visible to people nearby may see them.
      assertProblem(w.http.get("/v1/users/" + invisible + "/nearby/people", w.nearby), 403);
      // Someone without a position cannot ask.
      assertProblem(
          w.http.get("/v1/users/" + w.person("precise", true) + "/nearby/people", w.nearby), 409);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void withdrawal_and_erasure_take_a_person_out_at_once(String kind) {
    try (World w = World.start(kind, dir)) {
      String viewer = w.person("precise", true);
      String a = w.person("precise", true);
      String b = w.person("precise", true);
      String c = w.person("precise", true);
      for (String id : List.of(viewer, a, b, c)) {
        assertThat(w.move(id, LAT, LON).status()).isEqualTo(202);
      }
      assertThat(w.nearby(viewer, "")).hasSize(3);

      w.consent(a, "location", "{\"granted\":false}");
      assertThat(w.points(a)).isZero();
      assertProblem(w.move(a, LAT, LON), 403);
      w.consent(b, "nearby_discovery", "{\"granted\":false}");
      assertThat(w.points(b)).isEqualTo(1);
      Http.Response erased = w.http.delete("/v1/users/" + c, TestServer.ADMIN_TOKEN);
      assertThat(erased.status()).as("%s", erased).isEqualTo(200);
      assertThat(erased.json().path("erased").path("location").asInt()).isEqualTo(2);
      assertThat(w.points(c)).isZero();
      // An erased person's updates are refused from then on, one by one or in a batch.
      assertProblem(w.move(c, LAT, LON), 404);
      Http.Response batch =
          w.http.post(
              "/v1/locations",
              w.maps,
              "{\"batch\":[{\"userId\":\""
                  + c
                  + "\",\"lat\":48.85,\"lon\":2.35,\"timestamp\":\""
                  + Instant.now()
                  + "\"}]}");
      assertThat(batch.json().get("droppedNoConsent").asInt()).isEqualTo(1);
      assertThat(w.points(c)).isZero();
      // Nothing about the erased person is in any access log after the erasure (entries are
      // durable before their answers, so nothing is still on its way).
      assertThat(
              w.server
                  .candor()
                  .database()
                  .<Long, RuntimeException>withHandle(
                      h ->
                          h.createQuery(
                                  "SELECT (SELECT COUNT(*) FROM access_log WHERE subject_id = :s)"
                                      + " + (SELECT COUNT(*) FROM access_log_daily"
                                      + " WHERE subject_id = :s)")
                              .bind("s", c)
                              .mapTo(Long.class)
                              .one()))
          .isZero();
      assertThat(w.nearby(viewer, "")).isEmpty();

      // Visible again only by choosing so again.
      w.consent(b, "nearby_discovery", "{\"granted\":true}");
      assertThat(w.nearby(viewer, "")).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void updates_racing_a_withdrawal_leave_nothing_behind(String kind) throws Exception {
    try (World w = World.start(kind, dir)) {
      String viewer = w.person("precise", true);
      assertThat(w.move(viewer, LAT, LON).status()).isEqualTo(202);
      for (int round = 0; round < 3; round++) {
        String racer = w.person("precise", true);
        java.util.concurrent.atomic.AtomicInteger refused =
            new java.util.concurrent.atomic.AtomicInteger();
        Thread sender =
            new Thread(
                () -> {
                  Instant t = Instant.now().minusSeconds(600);
                  for (int i = 0; i < 40; i++) {
                    int status = w.move(racer, LAT + i * 0.0001, LON, t.plusSeconds(i)).status();
                    if (status == 403) {
                      refused.incrementAndGet();
                    }
                  }
                });
        sender.start();
        Thread.sleep(20 + 15 * round);
        w.consent(racer, "location", "{\"granted\":false}");
        sender.join();
        assertThat(w.points(racer)).as("round %d, %d refused", round, refused.get()).isZero();
        assertThat(w.nearby(viewer, "?radiusKm=5&limit=100"))
            .noneMatch(p -> p.path("userId").asText().equals(racer));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void impossible_travel_is_flagged_and_not_used(String kind) {
    try (World w = World.start(kind, dir)) {
      String viewer = w.person("precise", true);
      String jumper = w.person("precise", true);
      assertThat(w.move(viewer, LAT, LON).status()).isEqualTo(202);
      Instant t = Instant.now().minusSeconds(120);
      assertThat(w.move(jumper, LAT, LON, t).status()).isEqualTo(202);
      assertThat(w.nearby(viewer, "")).hasSize(1);
      // Paris to Tokyo in two minutes.
      Http.Response r = w.move(jumper, 35.6762, 139.6503, Instant.now());
      assertThat(r.status()).isEqualTo(202);
      assertThat(r.json().get("flagged").asInt()).isEqualTo(1);
      assertThat(w.nearby(viewer, "")).isEmpty();
      assertProblem(w.http.get("/v1/users/" + jumper + "/nearby/people", w.nearby), 409);
      assertThat(w.points(jumper)).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void asking_from_many_places_in_an_hour_is_refused_as_probing(String kind) {
    try (World w = World.start(kind, dir)) {
      String viewer = w.person("precise", true);
      Instant t = Instant.now().minusSeconds(3000);
      for (int i = 0; i < 12; i++) {
        // A few hundred metres apart, a minute apart: plausible, and each a new grid square.
        assertThat(w.move(viewer, LAT + i * 0.0095, LON, t.plusSeconds(60L * i)).status())
            .isEqualTo(202);
        w.nearby(viewer, "");
      }
      assertThat(w.move(viewer, LAT + 12 * 0.0095, LON, t.plusSeconds(60L * 12)).status())
          .isEqualTo(202);
      JsonNode problem =
          assertProblem(w.http.get("/v1/users/" + viewer + "/nearby/people", w.nearby), 429);
      assertThat(problem.path("detail").asText()).contains("probing");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void queries_per_viewer_are_rate_limited_and_the_index_survives_a_restart(String kind) {
    Config config = TestDatabases.config(kind, dir).withLocation(new Config.Location(30, 60, 3));
    String viewer;
    String other;
    try (World w = new World(TestServer.of(Candor.withOutbox(config)), "")) {
      viewer = w.person("precise", true);
      other = w.person("approximate", true);
      w.move(viewer, LAT, LON);
      w.move(other, LAT, LON);
      for (int i = 0; i < 3; i++) {
        assertThat(w.nearby(viewer, "")).hasSize(1);
      }
      Http.Response limited = w.http.get("/v1/users/" + viewer + "/nearby/people", w.nearby);
      assertProblem(limited, 429);
      assertThat(limited.header("Retry-After")).isNotBlank();
    }
    try (World w = new World(TestServer.of(Candor.withOutbox(config)), "-again")) {
      JsonNode people = w.nearby(viewer, "");
      assertThat(people).hasSize(1);
      assertThat(people.get(0).path("userId").asText()).isEqualTo(other);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void the_transparency_page_counts_people_with_positions_and_the_retention_purge_deletes_them(
      String kind) {
    MutableClock clock = MutableClock.startingNow();
    try (World w =
        new World(TestServer.of(Candor.withOutbox(TestDatabases.config(kind, dir), clock)), "")) {
      List<String> people = new java.util.ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = w.person("approximate", true);
        assertThat(w.move(id, LAT + i * 0.001, LON, clock.instant()).status()).isEqualTo(202);
        people.add(id);
      }
      assertThat(location(w).get("usersWithData").asInt()).isEqualTo(10);
      assertThat(w.nearby(people.get(0), "")).hasSize(9);

      clock.advance(java.time.Duration.ofDays(31));
      assertThat(w.server.candor().location().purgeExpired()).isEqualTo(10);
      assertThat((rows(w.server, "location_points") + rows(w.server, "location_log"))).isZero();
      assertThat(rows(w.server, "location_current")).isZero();
      assertThat(location(w).get("usersWithData").asText()).isEqualTo("fewer than 10");
      assertProblem(w.http.get("/v1/users/" + people.get(0) + "/nearby/people", w.nearby), 409);
    }
  }

  private static JsonNode location(World w) {
    // Counted every minute in the background; here at once.
    w.server.candor().transparency().refresh();
    for (JsonNode c : w.http.get("/v1/transparency", null).json().get("categories")) {
      if (c.path("id").asText().equals("location")) {
        return c;
      }
    }
    throw new AssertionError("no location category");
  }

  private static JsonNode item(World w, String id, String field) {
    JsonNode report = w.http.get("/v1/users/" + id + "/data", TestServer.ADMIN_TOKEN).json();
    for (JsonNode category : report.get("categories")) {
      for (JsonNode item : category.get("items")) {
        if (item.path("field").asText().equals(field)) {
          return item;
        }
      }
    }
    throw new AssertionError(field + " not in the report: " + report);
  }

  private static Map<String, String> unzip(byte[] zip) throws java.io.IOException {
    Map<String, String> files = new HashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }
}
