package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.crypto.Secrets;
import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sign-out and sessions: a person signs out, lists their sessions (in the sessions route and in
 * their report) and ends one; an operator may too; nobody else can, and refused calls end nothing.
 */
class SessionsApiTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final String NEARBY = "/v1/places/nearby?lat=48.85&lon=2.35";

  @TempDir static Path dir;
  private static final PerDatabase<World> WORLDS =
      new PerDatabase<>(k -> new World(TestServer.start(k, dir.resolve(k))));

  @AfterAll
  static void close() throws Exception {
    WORLDS.closeAll();
  }

  /** A server with a service allowed to create people. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final String service;

    World(TestServer server) {
      this.server = server;
      this.service = server.service("chat", "account");
    }

    /** A new person; their phone is how they sign in. */
    String[] person() {
      String id = server.person(service);
      String phone = server.candor().people().find(id).orElseThrow().phone().orElseThrow();
      return new String[] {id, phone};
    }

    Http http() {
      return server.http();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  private static JsonNode sessions(World w, String id, String token) {
    Http.Response r = w.http().get("/v1/users/" + id + "/sessions", token);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().get("sessions");
  }

  private static List<String> sessionIds(World w, String id) {
    List<String> out = new ArrayList<>();
    sessions(w, id, ADMIN).forEach(s -> out.add(s.get("sessionId").asText()));
    return out;
  }

  private static String sessionOf(World w, String id, String token) {
    for (JsonNode s : sessions(w, id, token)) {
      if (s.get("current").asBoolean()) {
        return s.get("sessionId").asText();
      }
    }
    throw new AssertionError("no current session");
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void signing_out_ends_that_token_at_once_and_only_that_one(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    String phone = w.server.signIn("sms", p[1]);
    String laptop = w.server.signIn("sms", p[1]);
    assertThat(w.http().get(NEARBY, phone).status()).isEqualTo(200);

    Http.Response out = w.http().send("POST", "/v1/auth/logout", phone, null);

    assertThat(out.status()).as(out.toString()).isEqualTo(204);
    assertThat(out.body()).isEmpty();
    assertProblem(w.http().get(NEARBY, phone), 401);
    assertProblem(w.http().get("/v1/users/" + p[0] + "/data", phone), 401);
    assertProblem(w.http().send("POST", "/v1/auth/logout", phone, null), 401);
    assertThat(w.http().get(NEARBY, laptop).status()).isEqualTo(200);
    assertThat(sessions(w, p[0], laptop)).hasSize(1);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void only_a_user_token_signs_out(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    w.server.signIn("sms", p[1]);
    List<String> before = sessionIds(w, p[0]);

    assertProblem(w.http().send("POST", "/v1/auth/logout", null, null), 401);
    assertProblem(w.http().send("POST", "/v1/auth/logout", "cu_not-a-token", null), 401);
    assertProblem(w.http().send("POST", "/v1/auth/logout", ADMIN, null), 403);
    assertProblem(w.http().send("POST", "/v1/auth/logout", w.service, null), 403);

    assertThat(w.http().get(NEARBY, w.service).status()).isEqualTo(200);
    assertThat(w.http().get(NEARBY, ADMIN).status()).isEqualTo(200);
    assertThat(sessionIds(w, p[0])).isEqualTo(before);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void the_sessions_list_and_the_report_show_ids_and_times_never_tokens(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    String first = w.server.signIn("sms", p[1]);
    String second = w.server.signIn("sms", p[1]);

    Http.Response listed = w.http().get("/v1/users/" + p[0] + "/sessions", second);
    Http.Response report = w.http().get("/v1/users/" + p[0] + "/data", second);

    JsonNode sessions = listed.json().get("sessions");
    assertThat(sessions).hasSize(2);
    for (JsonNode s : sessions) {
      assertThat(s.get("sessionId").asText()).matches("[0-9a-f]{32}");
      assertThat(java.time.Instant.parse(s.get("expiresAt").asText()))
          .isEqualTo(java.time.Instant.parse(s.get("createdAt").asText()).plusSeconds(86_400));
    }
    assertThat(sessions.get(0).get("current").asBoolean()).isFalse();
    assertThat(sessions.get(1).get("current").asBoolean()).isTrue();
    JsonNode item = reportItem(report.json(), "signInSessions");
    assertThat(item.get("value")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(item.get("value").get(i).get("sessionId").asText())
          .isEqualTo(sessions.get(i).get("sessionId").asText());
      assertThat(item.get("value").get(i).get("createdAt").asText())
          .isEqualTo(sessions.get(i).get("createdAt").asText());
      assertThat(item.get("value").get(i).get("expiresAt").asText())
          .isEqualTo(sessions.get(i).get("expiresAt").asText());
    }
    assertThat(item.get("retention").asText()).contains("6 hours");
    for (String token : List.of(first, second)) {
      for (Http.Response r : List.of(listed, report)) {
        assertThat(r.text()).doesNotContain(token).doesNotContain(Secrets.sha256(token));
      }
    }
    // An operator sees the same sessions, none of them "current".
    JsonNode asAdmin = sessions(w, p[0], ADMIN);
    assertThat(asAdmin).hasSize(2);
    asAdmin.forEach(s -> assertThat(s.get("current").asBoolean()).isFalse());
  }

  private static JsonNode reportItem(JsonNode report, String field) {
    for (JsonNode c : report.get("categories")) {
      for (JsonNode item : c.get("items")) {
        if (item.get("field").asText().endsWith(field)) {
          return item;
        }
      }
    }
    throw new AssertionError(field + " is not in the report: " + report);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void a_person_ends_one_of_their_sessions_and_its_token_is_refused_at_once(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    String kept = w.server.signIn("sms", p[1]);
    String lost = w.server.signIn("sms", p[1]);
    String lostId = sessionOf(w, p[0], lost);

    Http.Response r = w.http().delete("/v1/users/" + p[0] + "/sessions/" + lostId, kept);

    assertThat(r.status()).as(r.toString()).isEqualTo(204);
    assertProblem(w.http().get(NEARBY, lost), 401);
    assertThat(w.http().get(NEARBY, kept).status()).isEqualTo(200);
    assertThat(sessionIds(w, p[0])).containsExactly(sessionOf(w, p[0], kept));
    // Ending it again: it is gone.
    assertProblem(w.http().delete("/v1/users/" + p[0] + "/sessions/" + lostId, kept), 404);
    // A person may end the session they are using: that is signing out.
    String keptId = sessionOf(w, p[0], kept);
    assertThat(w.http().delete("/v1/users/" + p[0] + "/sessions/" + keptId, kept).status())
        .isEqualTo(204);
    assertProblem(w.http().get(NEARBY, kept), 401);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void an_operator_ends_a_session_and_the_person_sees_it_in_their_access_log(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    String token = w.server.signIn("sms", p[1]);
    String other = w.server.signIn("sms", p[1]);
    String id = sessionOf(w, p[0], token);

    assertThat(w.http().delete("/v1/users/" + p[0] + "/sessions/" + id, ADMIN).status())
        .isEqualTo(204);

    assertProblem(w.http().get(NEARBY, token), 401);
    JsonNode entries = w.http().get("/v1/users/" + p[0] + "/access-log", other).json();
    assertThat(entries.get("entries"))
        .anySatisfy(
            e -> {
              assertThat(e.get("service").asText()).isEqualTo("admin");
              assertThat(e.get("purpose").asText()).isEqualTo("privacy_request");
              assertThat(e.get("fields").toString()).contains("personal.signInSessions");
            });
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void wrong_callers_and_bad_ids_get_problems_and_end_nothing(String kind) {
    World w = WORLDS.get(kind);
    String[] p = w.person();
    String[] q = w.person();
    String token = w.server.signIn("sms", p[1]);
    String otherToken = w.server.signIn("sms", q[1]);
    String id = sessionOf(w, p[0], token);
    String otherId = sessionOf(w, q[0], otherToken);
    long logged = HttpTesting.rows(w.server, "access_log");
    String mine = "/v1/users/" + p[0] + "/sessions/";

    // Nobody, a bad token: 401. A service: 403 (services make no privacy requests).
    for (String t : new String[] {null, "cu_not-a-token"}) {
      assertProblem(w.http().get("/v1/users/" + p[0] + "/sessions", t), 401);
      assertProblem(w.http().delete(mine + id, t), 401);
    }
    assertProblem(w.http().get("/v1/users/" + p[0] + "/sessions", w.service), 403);
    assertProblem(w.http().delete(mine + id, w.service), 403);
    // Another person: as if it did not exist.
    assertProblem(w.http().get("/v1/users/" + p[0] + "/sessions", otherToken), 404);
    assertProblem(w.http().delete(mine + id, otherToken), 404);
    // Someone else's session under one's own id, unknown and malformed ids: 404.
    assertProblem(w.http().delete(mine + otherId, token), 404);
    assertProblem(w.http().delete(mine + otherId, ADMIN), 404);
    for (String bad :
        List.of("0".repeat(32), "not-a-session", id.toUpperCase(java.util.Locale.ROOT), id + "0")) {
      assertProblem(w.http().delete(mine + bad, token), 404);
      assertProblem(w.http().delete(mine + bad, ADMIN), 404);
    }
    String unknownPerson = "/v1/users/" + UUID.randomUUID() + "/sessions";
    assertProblem(w.http().get(unknownPerson, ADMIN), 404);
    assertProblem(w.http().delete(unknownPerson + "/" + id, ADMIN), 404);
    assertProblem(w.http().get("/v1/users/not-a-person/sessions", ADMIN), 404);
    assertProblem(w.http().delete("/v1/users/not-a-person/sessions/" + id, ADMIN), 404);

    assertThat(w.http().get(NEARBY, token).status()).isEqualTo(200);
    assertThat(w.http().get(NEARBY, otherToken).status()).isEqualTo(200);
    assertThat(HttpTesting.rows(w.server, "access_log")).isEqualTo(logged);
  }
}
