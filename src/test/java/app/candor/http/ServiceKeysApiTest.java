package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Operators list services, rotate their keys and revoke them over HTTP; bad calls change nothing.
 */
class ServiceKeysApiTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final String NEARBY = "/v1/places/nearby?lat=48.85&lon=2.35";
  private static final AtomicInteger NAMES = new AtomicInteger();

  @TempDir static Path dir;
  private static final PerDatabase<TestServer> SERVERS =
      new PerDatabase<>(k -> TestServer.start(k, dir.resolve(k)));

  @AfterAll
  static void close() throws Exception {
    SERVERS.closeAll();
  }

  /** A service registered for the test: its id, name and key. */
  private record Svc(String id, String name, String key) {}

  private static Svc register(TestServer server) {
    String name = "svc-" + NAMES.incrementAndGet();
    String key = server.service(name, "account", "location");
    return new Svc(server.candor().services().byName(name).orElseThrow().id(), name, key);
  }

  private static Http.Response rotate(TestServer server, String id, String token) {
    return server.http().send("POST", "/v1/services/" + id + "/rotate-key", token, null);
  }

  private static JsonNode listed(TestServer server, String name) {
    for (JsonNode s : server.http().get("/v1/services", ADMIN).json().get("services")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError(name + " is not listed");
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void rotating_gives_a_new_key_and_the_old_one_is_refused_at_once(String kind) {
    TestServer server = SERVERS.get(kind);
    Svc svc = register(server);
    assertThat(server.http().get(NEARBY, svc.key()).status()).isEqualTo(200);

    Http.Response r = rotate(server, svc.id(), ADMIN);

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.get("id").asText()).isEqualTo(svc.id());
    assertThat(body.get("name").asText()).isEqualTo(svc.name());
    assertThat(body.get("purposes"))
        .extracting(JsonNode::asText)
        .containsExactly("account", "location");
    String fresh = body.get("apiKey").asText();
    assertThat(fresh).startsWith("cs_").isNotEqualTo(svc.key());
    assertProblem(server.http().get(NEARBY, svc.key()), 401);
    assertThat(server.http().get(NEARBY, fresh).status()).isEqualTo(200);
    // The list never shows a key, and the service is still active.
    JsonNode entry = listed(server, svc.name());
    assertThat(entry.has("apiKey")).isFalse();
    assertThat(entry.has("revokedAt")).isFalse();
    assertThat(server.http().get("/v1/services", ADMIN).text()).doesNotContain(fresh);
    // A second rotation ends the first new key too.
    String third = rotate(server, svc.id(), ADMIN).json().get("apiKey").asText();
    assertProblem(server.http().get(NEARBY, fresh), 401);
    assertThat(server.http().get(NEARBY, third).status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void revoking_ends_the_key_at_once_and_the_service_stays_listed_as_revoked(String kind) {
    TestServer server = SERVERS.get(kind);
    Svc svc = register(server);
    assertThat(server.http().get(NEARBY, svc.key()).status()).isEqualTo(200);

    Http.Response r = server.http().delete("/v1/services/" + svc.id(), ADMIN);

    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("id").asText()).isEqualTo(svc.id());
    assertThat(r.json().get("name").asText()).isEqualTo(svc.name());
    assertThat(r.json().get("revokedAt").asText()).isNotBlank();
    assertThat(r.json().has("apiKey")).isFalse();
    assertProblem(server.http().get(NEARBY, svc.key()), 401);
    JsonNode entry = listed(server, svc.name());
    assertThat(entry.get("revokedAt").asText()).isEqualTo(r.json().get("revokedAt").asText());
    // The hash of the dead key is gone from the database too.
    String hash = app.candor.core.crypto.Secrets.sha256(svc.key());
    long withHash =
        server
            .candor()
            .database()
            .<Long, RuntimeException>withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM services WHERE key_hash = :h")
                        .bind("h", hash)
                        .mapTo(Long.class)
                        .one());
    assertThat(withHash).isZero();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void a_revoked_service_cannot_be_revoked_again_rotated_or_its_name_reused(String kind) {
    TestServer server = SERVERS.get(kind);
    Svc svc = register(server);
    assertThat(server.http().delete("/v1/services/" + svc.id(), ADMIN).status()).isEqualTo(200);
    List<String> before = services(server);

    assertProblem(server.http().delete("/v1/services/" + svc.id(), ADMIN), 409);
    JsonNode rotated = assertProblem(rotate(server, svc.id(), ADMIN), 409);
    assertThat(rotated.get("detail").asText()).contains("revoked");
    JsonNode again =
        assertProblem(
            server
                .http()
                .post(
                    "/v1/services",
                    ADMIN,
                    "{\"name\":\"" + svc.name() + "\",\"purposes\":[\"account\"]}"),
            409);
    assertThat(again.get("detail").asText()).contains("revoked").contains("never reused");

    assertThat(services(server)).isEqualTo(before);
    assertProblem(server.http().get(NEARBY, svc.key()), 401);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void unknown_and_malformed_ids_are_404_and_change_nothing(String kind) {
    TestServer server = SERVERS.get(kind);
    Svc svc = register(server);
    List<String> before = services(server);
    List<String> ids =
        List.of(
            UUID.randomUUID().toString(),
            "not-an-id",
            svc.id().toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
            svc.id() + "0",
            "%20");
    for (String id : ids) {
      assertProblem(rotate(server, id, ADMIN), 404);
      assertProblem(server.http().delete("/v1/services/" + id, ADMIN), 404);
    }
    assertThat(services(server)).isEqualTo(before);
    assertThat(server.http().get(NEARBY, svc.key()).status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void only_operators_rotate_or_revoke_and_others_change_nothing(String kind) {
    TestServer server = SERVERS.get(kind);
    Svc svc = register(server);
    Svc other = register(server);
    String person = server.person(other.key());
    String userToken = userToken(server, person);
    List<String> before = services(server);
    String path = "/v1/services/" + svc.id();

    for (String token : new String[] {null, "cs_not-a-key-anyone-was-given"}) {
      assertProblem(rotate(server, svc.id(), token), 401);
      assertProblem(server.http().delete(path, token), 401);
      assertProblem(server.http().get("/v1/services", token), 401);
    }
    // A service may not rotate or revoke itself or another; nor may a person.
    for (String token : new String[] {svc.key(), other.key(), userToken}) {
      assertProblem(rotate(server, svc.id(), token), 403);
      assertProblem(server.http().delete(path, token), 403);
      assertProblem(server.http().get("/v1/services", token), 403);
    }

    assertThat(services(server)).isEqualTo(before);
    assertThat(server.http().get(NEARBY, svc.key()).status()).isEqualTo(200);
  }

  /** The services as listed, one line each, to compare before and after a refused call. */
  private static List<String> services(TestServer server) {
    List<String> out = new ArrayList<>();
    server
        .http()
        .get("/v1/services", ADMIN)
        .json()
        .get("services")
        .forEach(s -> out.add(s.toString()));
    // The key hashes too: a refused rotation must not have changed any.
    out.addAll(
        server
            .candor()
            .database()
            .<List<String>, RuntimeException>withHandle(
                h ->
                    h.createQuery("SELECT key_hash FROM services ORDER BY id")
                        .mapTo(String.class)
                        .list()));
    return out;
  }

  /** Signs in the person made by {@link TestServer#person} (phones are numbered from 1). */
  private static String userToken(TestServer server, String personId) {
    String phone = server.candor().people().find(personId).orElseThrow().phone().orElseThrow();
    return server.signIn("sms", phone);
  }
}
