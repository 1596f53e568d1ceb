package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.location.PlaceIndex;
import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/places} and {@code GET /v1/places/nearby} over a real socket, on each database:
 * the three formats import, nearby answers nearest first with exact distances, every malformed or
 * invalid body is a 400 that names the field and stores nothing, and the index survives a restart.
 */
class PlacesApiTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final double PARIS_LAT = 48.8566;
  private static final double PARIS_LON = 2.3522;

  private static final PerDatabase<World> WORLDS = new PerDatabase<>(World::new);

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @AfterAll
  static void closeWorlds() throws Exception {
    WORLDS.closeAll();
  }

  /** A server with towns around Paris (category town) and some food places (category food). */
  static final class World implements AutoCloseable {
    final Path dir;
    final TestServer server;
    final Http http;
    final String maps;
    final String chat;
    final String user;

    World(String kind) {
      try {
        dir = Files.createTempDirectory("places-api");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server = TestServer.start(kind, dir);
      http = server.http();
      maps = server.service("maps", "location");
      chat = server.service("chat", "account");
      server.person(chat);
      user = server.signIn("sms", "+4915199000001");
      Http.Response r =
          http.post(
              "/v1/places",
              ADMIN,
              places(
                  town("Paris", 48.8566, 2.3522),
                  town("Boulogne-Billancourt", 48.8397, 2.2399),
                  town("Saint-Denis", 48.9362, 2.3574),
                  town("Versailles", 48.8049, 2.1204),
                  town("Meaux", 48.9601, 2.8788),
                  town("Orleans", 47.9030, 1.9093),
                  place("Cafe de Flore", "food", 48.8540, 2.3325),
                  place("Bistro Versailles", "food", 48.8050, 2.1300)));
      assertThat(r.status()).as("%s", r).isEqualTo(201);
    }

    long stored() {
      return HttpTesting.rows(server, "places");
    }

    JsonNode nearby(String query) {
      Http.Response r = http.get("/v1/places/nearby?" + query, maps);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      return r.json().get("places");
    }

    @Override
    public void close() {
      server.close();
    }
  }

  static String town(String name, double lat, double lon) {
    return place(name, "town", lat, lon);
  }

  static String place(String name, String category, double lat, double lon) {
    return HttpTesting.json(Map.of("name", name, "category", category, "lat", lat, "lon", lon));
  }

  static String places(String... items) {
    return "{\"places\":[" + String.join(",", items) + "]}";
  }

  static List<String> names(JsonNode places) {
    List<String> out = new ArrayList<>();
    places.forEach(p -> out.add(p.get("name").asText()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void json_import_stores_every_place_and_answers_their_ids_in_order(String kind) {
    World w = WORLDS.get(kind);
    long before = w.stored();
    Http.Response r =
        w.http.post(
            "/v1/places",
            w.maps,
            places(
                place("Json One", "jsontest", 10, 10),
                place("Json Two", "jsontest", 10.001, 10),
                place("  Json Three  ", "jsontest", 10.002, 10)));

    assertThat(r.status()).as("%s", r).isEqualTo(201);
    assertThat(r.json().get("imported").asInt()).isEqualTo(3);
    assertThat(r.json().get("places")).hasSize(3);
    assertThat(w.stored()).isEqualTo(before + 3);
    JsonNode found = w.nearby("lat=10&lon=10&category=jsontest");
    assertThat(names(found)).containsExactly("Json One", "Json Two", "Json Three");
    assertThat(found.get(0).get("id").asText()).isEqualTo(r.json().get("places").get(0).asText());
    assertThat(found.get(1).get("distanceM").asLong()).isEqualTo(111);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_geojson_feature_collection_imports_as_geo_json_or_plain_json(String kind) {
    World w = WORLDS.get(kind);
    String collection =
        """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[20.0,-20.0]},
           "properties":{"name":"Geo One","category":"geotest","stars":4}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[20.01,-20.0,120]},
           "properties":{"name":"Geo Two","category":"geotest"}}]}
        """;
    Http.Response geo =
        w.http.post("/v1/places", ADMIN, collection, "Content-Type", "application/geo+json");
    assertThat(geo.status()).as("%s", geo).isEqualTo(201);
    Http.Response plain = w.http.post("/v1/places", ADMIN, collection);
    assertThat(plain.status()).as("%s", plain).isEqualTo(201);

    JsonNode found = w.nearby("lat=-20&lon=20&category=geotest");
    assertThat(names(found)).containsExactly("Geo One", "Geo One", "Geo Two", "Geo Two");
    assertThat(found.get(0).get("lat").asDouble()).isEqualTo(-20.0);
    assertThat(found.get(0).get("lon").asDouble()).isEqualTo(20.0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void csv_with_the_columns_in_any_order_and_quoted_names_imports(String kind) {
    World w = WORLDS.get(kind);
    String csv =
        "\uFEFFlat,lon,name,category\r\n"
            + "30.0,30.0,\"Cafe, \"\"Le Petit\"\"\",csvtest\r\n"
            + "\r\n"
            + "30.01,30.0,Csv Two,csvtest\r\n";
    Http.Response r = w.http.post("/v1/places", ADMIN, csv, "Content-Type", "text/csv");

    assertThat(r.status()).as("%s", r).isEqualTo(201);
    assertThat(r.json().get("imported").asInt()).isEqualTo(2);
    assertThat(names(w.nearby("lat=30&lon=30&category=csvtest")))
        .containsExactly("Cafe, \"Le Petit\"", "Csv Two");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void nearby_lists_the_nearest_first_with_exact_great_circle_distances(String kind) {
    World w = WORLDS.get(kind);
    JsonNode found = w.nearby("lat=48.8566&lon=2.3522&radiusKm=100&category=town");

    assertThat(names(found))
        .containsExactly("Paris", "Boulogne-Billancourt", "Saint-Denis", "Versailles", "Meaux");
    for (JsonNode p : found) {
      double exact =
          PlaceIndex.distanceM(
              PARIS_LAT, PARIS_LON, p.get("lat").asDouble(), p.get("lon").asDouble());
      assertThat(p.get("distanceM").asLong()).isEqualTo(Math.round(exact));
      assertThat(p.get("id").asText()).hasSize(36);
      assertThat(p.get("category").asText()).isEqualTo("town");
    }
    assertThat(found.get(0).get("distanceM").asLong()).isZero();
    // Versailles is 17.8 km from Paris as the crow flies; Orleans, 111 km, is beyond the radius.
    assertThat(found.get(3).get("distanceM").asLong()).isBetween(17_500L, 18_200L);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void radius_category_and_limit_filter_the_answer(String kind) {
    World w = WORLDS.get(kind);
    assertThat(names(w.nearby("lat=48.8566&lon=2.3522&radiusKm=10&category=town")))
        .containsExactly("Paris", "Boulogne-Billancourt", "Saint-Denis");
    assertThat(names(w.nearby("lat=48.8566&lon=2.3522&radiusKm=100&category=town&limit=2")))
        .containsExactly("Paris", "Boulogne-Billancourt");
    assertThat(names(w.nearby("lat=48.8566&lon=2.3522&radiusKm=30&category=food")))
        .containsExactly("Cafe de Flore", "Bistro Versailles");
    // The default radius is 5 km: Paris and the cafe, of any category.
    assertThat(names(w.nearby("lat=48.8566&lon=2.3522"))).containsExactly("Paris", "Cafe de Flore");
    assertThat(w.nearby("lat=48.8566&lon=2.3522&category=zoo")).isEmpty();
    assertThat(w.nearby("lat=-60&lon=-60&radiusKm=100")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void every_caller_signed_in_may_search_but_only_admins_and_location_services_import(String kind) {
    World w = WORLDS.get(kind);
    String near = "/v1/places/nearby?lat=48.8566&lon=2.3522";
    assertProblem(w.http.get(near, null), 401);
    assertProblem(w.http.get(near, "not-a-token"), 401);
    for (String token : List.of(ADMIN, w.maps, w.chat, w.user)) {
      assertThat(w.http.get(near, token).status()).isEqualTo(200);
    }
    long before = w.stored();
    String body = places(place("Auth Test", "authtest", 1, 1));
    assertProblem(w.http.post("/v1/places", null, body), 401);
    assertProblem(w.http.post("/v1/places", w.chat, body), 403);
    assertProblem(w.http.post("/v1/places", w.user, body), 403);
    assertThat(w.stored()).isEqualTo(before);
    assertThat(w.http.post("/v1/places", w.maps, body).status()).isEqualTo(201);
  }

  static Stream<Arguments> badImports() {
    String ok = place("Fine Place", "fine", 1, 1);
    String json = "application/json";
    String csv = "text/csv";
    return Stream.of(
        Arguments.of(
            "non-numeric lat",
            json,
            places("{\"name\":\"X\",\"category\":\"c\",\"lat\":\"48.8\",\"lon\":2}"),
            List.of("places[0].lat")),
        Arguments.of(
            "lat 91 after a good place",
            json,
            places(ok, place("North", "c", 91, 0)),
            List.of("places[1].lat")),
        Arguments.of(
            "lon -181", json, places(place("West", "c", 0, -181)), List.of("places[0].lon")),
        Arguments.of(
            "NaN and Infinity",
            json,
            places(ok, "{\"name\":\"X\",\"category\":\"c\",\"lat\":NaN,\"lon\":Infinity}"),
            List.of("places[1].lat", "places[1].lon")),
        Arguments.of(
            "missing name",
            json,
            places("{\"category\":\"c\",\"lat\":1,\"lon\":1}"),
            List.of("places[0].name")),
        Arguments.of(
            "blank and too long names",
            json,
            places(place("   ", "c", 1, 1), place("x".repeat(201), "c", 1, 1)),
            List.of("places[0].name", "places[1].name")),
        Arguments.of(
            "bad categories",
            json,
            places(place("A", "Restaurant", 1, 1), place("B", "", 1, 1), ok),
            List.of("places[0].category", "places[1].category")),
        Arguments.of(
            "unknown field",
            json,
            places("{\"name\":\"X\",\"category\":\"c\",\"lat\":1,\"lon\":1,\"owner\":\"me\"}"),
            List.of("places[0].owner")),
        Arguments.of("empty body", json, "", List.of("body")),
        Arguments.of("an array", json, "[1,2]", List.of("body")),
        Arguments.of("no places", json, "{}", List.of("places")),
        Arguments.of("empty places", json, "{\"places\":[]}", List.of("places")),
        Arguments.of("places not an array", json, "{\"places\":\"x\"}", List.of("places")),
        Arguments.of("a place not an object", json, places("42"), List.of("places[0]")),
        Arguments.of("malformed JSON", json, "{\"places\":[{", List.of()),
        Arguments.of(
            "a single Feature instead of a collection",
            json,
            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,1]}}",
            List.of("type")),
        Arguments.of(
            "GeoJSON without features",
            json,
            "{\"type\":\"FeatureCollection\"}",
            List.of("features")),
        Arguments.of(
            "GeoJSON with a line, bad coordinates and no properties",
            "application/geo+json",
            "{\"type\":\"FeatureCollection\",\"features\":["
                + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,1],[2,2]]},"
                + "\"properties\":{\"name\":\"L\",\"category\":\"c\"}},"
                + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[\"a\",95]},"
                + "\"properties\":{\"name\":\"P\",\"category\":\"c\"}},"
                + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1]},"
                + "\"properties\":{\"name\":\"Q\",\"category\":\"c\"}},"
                + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,1]}},"
                + "{\"type\":\"Thing\"}]}",
            List.of(
                "features[0].geometry",
                "features[1].geometry.coordinates[0]",
                "features[1].geometry.coordinates[1]",
                "features[2].geometry.coordinates",
                "features[3].properties",
                "features[4].type")),
        Arguments.of(
            "CSV row with a missing column",
            csv,
            "name,category,lat,lon\nA,c,1,1\nB,c,2\n",
            List.of("rows[1]")),
        Arguments.of(
            "CSV with a non-numeric lat and NaN lon",
            csv,
            "name,category,lat,lon\nA,c,north,NaN\n",
            List.of("rows[0].lat", "rows[0].lon")),
        Arguments.of("CSV without the header", csv, "A,c,1,1\n", List.of("header")),
        Arguments.of("CSV with only a header", csv, "name,category,lat,lon\n", List.of("rows")),
        Arguments.of(
            "CSV with an unterminated quote",
            csv,
            "name,category,lat,lon\n\"A,c,1,1\n",
            List.of("body")),
        Arguments.of("empty CSV", csv, "", List.of("body")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badImports")
  void an_invalid_import_is_a_400_naming_each_bad_field_and_stores_nothing(
      String why, String contentType, String body, List<String> fields) {
    World w = WORLDS.get(TestDatabases.SQLITE);
    long before = w.stored();
    Http.Response r = w.http.post("/v1/places", ADMIN, body, "Content-Type", contentType);

    JsonNode problem = assertProblem(r, 400, fields.toArray(new String[0]));
    assertThat(problem.get("detail").asText()).as(why).isNotBlank();
    assertThat(w.stored()).as("nothing stored for %s", why).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_wrong_content_type_is_415_and_too_many_places_413(String kind) {
    World w = WORLDS.get(kind);
    long before = w.stored();
    assertProblem(
        w.http.post("/v1/places", ADMIN, "name,category\n", "Content-Type", "text/plain"), 415);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) {
      many.add("{\"name\":\"p\",\"category\":\"c\",\"lat\":1,\"lon\":1}");
    }
    assertProblem(w.http.post("/v1/places", ADMIN, places(many.toArray(new String[0]))), 413);
    assertThat(w.stored()).isEqualTo(before);
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("", List.of("lat", "lon")),
        Arguments.of("lat=abc&lon=2", List.of("lat")),
        Arguments.of("lat=91&lon=2", List.of("lat")),
        Arguments.of("lat=1&lon=180.5", List.of("lon")),
        Arguments.of("lat=NaN&lon=Infinity", List.of("lat", "lon")),
        Arguments.of("lat=1&lon=1&radiusKm=0", List.of("radiusKm")),
        Arguments.of("lat=1&lon=1&radiusKm=100.5", List.of("radiusKm")),
        Arguments.of("lat=1&lon=1&radiusKm=far", List.of("radiusKm")),
        Arguments.of("lat=1&lon=1&limit=0", List.of("limit")),
        Arguments.of("lat=1&lon=1&limit=101", List.of("limit")),
        Arguments.of("lat=1&lon=1&limit=2.5", List.of("limit")),
        Arguments.of("lat=1&lon=1&category=Food!", List.of("category")),
        Arguments.of("lat=&lon=1&limit=x&radiusKm=-1", List.of("lat", "limit", "radiusKm")));
  }

  @ParameterizedTest(name = "?{0}")
  @MethodSource("badQueries")
  void a_bad_nearby_query_is_a_400_naming_each_bad_parameter(String query, List<String> fields) {
    World w = WORLDS.get(TestDatabases.SQLITE);
    assertProblem(
        w.http.get("/v1/places/nearby?" + query, w.user), 400, fields.toArray(new String[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void the_index_is_rebuilt_from_the_database_after_a_restart(String kind) {
    Config config = TestDatabases.config(kind, dir);
    try (TestServer first = TestServer.of(Candor.withOutbox(config))) {
      Http.Response r =
          first
              .http()
              .post(
                  "/v1/places",
                  ADMIN,
                  places(place("Kept One", "kept", 5, 5), place("Kept Two", "kept", 5.01, 5)));
      assertThat(r.status()).as("%s", r).isEqualTo(201);
    }
    try (TestServer second = TestServer.of(Candor.withOutbox(config))) {
      assertThat(second.candor().places().indexed()).isEqualTo(2);
      Http.Response r = second.http().get("/v1/places/nearby?lat=5&lon=5&category=kept", ADMIN);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(names(r.json().get("places"))).containsExactly("Kept One", "Kept Two");
    }
  }
}
