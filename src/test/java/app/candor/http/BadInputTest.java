package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets a 4xx {@code application/problem+json} naming what is wrong, and
 * changes nothing: every table reads the same before and after.
 */
class BadInputTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final List<String> TABLES =
      List.of(
          "services",
          "system_keys",
          "subject_keys",
          "people",
          "consents",
          "consent_events",
          "access_log",
          "user_tokens",
          "otp_verifications",
          "erasure_receipts");
  private static final String VALID_PERSON =
      "{\"name\":\"Bea Costa\",\"phone\":\"+4915122223333\",\"email\":\"bea@example.org\"}";
  private static final String ONE_MIB_AND_A_BIT =
      "{\"name\":\"" + "a".repeat(1024 * 1024) + "\",\"email\":\"big@example.org\"}";

  /** One running server with a service, a person and their token. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final Http http;
    final String key;
    final String id;
    final String token;

    World(TestServer server) {
      this.server = server;
      this.http = server.http();
      this.key = server.service("chat", "account", "messaging");
      this.id = server.person(key);
      server.person(key);
      this.token = server.signIn("sms", "+4915199000001");
      // Something in every ledger, so a stray write or delete would show.
      assertThat(
              http.put("/v1/users/" + id + "/consents/analytics", token, "{\"granted\":true}")
                  .status())
          .isEqualTo(200);
      assertThat(http.get("/v1/users/" + id, key, "Candor-Purpose", "account").status())
          .isEqualTo(200);
    }

    String person() {
      return "/v1/users/" + id;
    }

    /** Every row of every table, in a stable order. */
    Map<String, List<String>> snapshot() {
      Map<String, List<String>> out = new TreeMap<>();
      for (String table : TABLES) {
        List<String> rows =
            server
                .candor()
                .database()
                .<List<String>, RuntimeException>withHandle(
                    h ->
                        h.createQuery("SELECT * FROM " + table).mapToMap().list().stream()
                            .map(row -> new TreeMap<>(row).toString())
                            .sorted()
                            .toList());
        out.put(table, rows);
      }
      return out;
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** A bad request, and what it must get. */
  record Case(String name, Function<World, Http.Response> call, int status, List<String> fields) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case bad(
      String name, Function<World, Http.Response> call, int status, String... fields) {
    return new Case(name, call, status, List.of(fields));
  }

  private static final List<Case> CASES =
      List.of(
          // The body is not a JSON object.
          bad("malformed JSON", w -> w.http.post("/v1/users", w.key, "{\"name\": \"Bea\","), 400),
          bad(
              "JSON followed by more text",
              w -> w.http.post("/v1/users", w.key, VALID_PERSON + " {}"),
              400),
          bad("an empty body", w -> w.http.post("/v1/users", w.key, ""), 400, "body"),
          bad("a JSON array", w -> w.http.post("/v1/users", w.key, "[]"), 400, "body"),
          bad("a JSON string", w -> w.http.post("/v1/services", ADMIN, "\"chat\""), 400, "body"),
          bad(
              "JSON null",
              w -> w.http.put(w.person() + "/consents/analytics", w.token, "null"),
              400,
              "body"),
          bad(
              "JSON nested deeper than anyone needs",
              w ->
                  w.http.post(
                      "/v1/users", w.key, "{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
              400),
          // Wrong types.
          bad(
              "a number for the name",
              w -> w.http.post("/v1/users", w.key, "{\"name\":42,\"phone\":\"+4915122223333\"}"),
              400,
              "name"),
          bad(
              "an object for the phone",
              w ->
                  w.http.post(
                      "/v1/users",
                      w.key,
                      "{\"name\":\"Bea\",\"phone\":{\"cc\":49},\"email\":\"bea@example.org\"}"),
              400,
              "phone"),
          bad(
              "a string for granted",
              w ->
                  w.http.put(
                      w.person() + "/consents/personalization", w.token, "{\"granted\":\"yes\"}"),
              400,
              "granted"),
          bad(
              "a string for the purposes",
              w ->
                  w.http.post(
                      "/v1/services", ADMIN, "{\"name\":\"maps\",\"purposes\":\"account\"}"),
              400,
              "purposes"),
          bad(
              "a wrong type next to an invalid value",
              w ->
                  w.http.post("/v1/users", w.key, "{\"name\":42,\"email\":\"bea-at-example.org\"}"),
              400,
              "name",
              "email"),
          bad(
              "a wrong type next to an invalid value in a change",
              w -> w.http.patch(w.person(), w.token, "{\"gender\":5,\"birthDate\":\"2999-01-01\"}"),
              400,
              "gender",
              "birthDate"),
          // Missing fields.
          bad(
              "a person without any field",
              w -> w.http.post("/v1/users", w.key, "{}"),
              400,
              "name",
              "phone",
              "email"),
          bad(
              "a person without phone or email",
              w -> w.http.post("/v1/users", w.key, "{\"name\":\"Bea\"}"),
              400,
              "phone",
              "email"),
          bad(
              "a consent without granted",
              w -> w.http.put(w.person() + "/consents/analytics", w.token, "{}"),
              400,
              "granted"),
          bad(
              "a service without name and purposes",
              w -> w.http.post("/v1/services", ADMIN, "{}"),
              400,
              "name",
              "purposes"),
          bad(
              "a code request without channel and address",
              w -> w.http.post("/v1/auth/otp", null, "{}"),
              400,
              "channel",
              "to"),
          bad(
              "a code check without id and code",
              w -> w.http.post("/v1/auth/otp/verify", null, "{}"),
              400,
              "verificationId",
              "code"),
          // Unknown fields.
          bad(
              "an unknown field at creation",
              w ->
                  w.http.post(
                      "/v1/users", w.key, VALID_PERSON.replace("{", "{\"nickname\":\"B\",")),
              400,
              "nickname"),
          bad(
              "an unknown field in a change",
              w -> w.http.patch(w.person(), w.key, "{\"nickname\":\"B\"}"),
              400,
              "nickname"),
          bad(
              "an unknown field in a consent",
              w ->
                  w.http.put(
                      w.person() + "/consents/analytics",
                      w.token,
                      "{\"granted\":false,\"reason\":\"x\"}"),
              400,
              "reason"),
          bad(
              "an unknown field in a service",
              w ->
                  w.http.post(
                      "/v1/services",
                      ADMIN,
                      "{\"name\":\"maps\",\"purposes\":[\"account\"],\"colour\":\"red\"}"),
              400,
              "colour"),
          bad(
              "an unknown field in a code request",
              w ->
                  w.http.post(
                      "/v1/auth/otp",
                      null,
                      "{\"channel\":\"sms\",\"to\":\"+4915199000001\",\"extra\":1}"),
              400,
              "extra"),
          // Invalid values.
          bad(
              "a phone in national format",
              w ->
                  w.http.post(
                      "/v1/users", w.key, VALID_PERSON.replace("+4915122223333", "015122223333")),
              400,
              "phone"),
          bad(
              "a phone that is too short",
              w -> w.http.post("/v1/users", w.key, VALID_PERSON.replace("+4915122223333", "+4915")),
              400,
              "phone"),
          bad(
              "a phone made of letters",
              w -> w.http.patch(w.person(), w.token, "{\"phone\":\"+call-me\"}"),
              400,
              "phone"),
          bad(
              "an email without a domain",
              w -> w.http.post("/v1/users", w.key, VALID_PERSON.replace("bea@example.org", "bea@")),
              400,
              "email"),
          bad(
              "an email with a space",
              w -> w.http.patch(w.person(), w.key, "{\"email\":\"bea costa@example.org\"}"),
              400,
              "email"),
          bad(
              "a birth date in the future",
              w ->
                  w.http.post(
                      "/v1/users",
                      w.key,
                      VALID_PERSON.replace("}", ",\"birthDate\":\"2999-01-01\"}")),
              400,
              "birthDate"),
          bad(
              "a birth date in another format",
              w -> w.http.patch(w.person(), w.token, "{\"birthDate\":\"17/05/1990\"}"),
              400,
              "birthDate"),
          bad(
              "a birth date that does not exist",
              w -> w.http.patch(w.person(), w.token, "{\"birthDate\":\"1990-02-30\"}"),
              400,
              "birthDate"),
          bad(
              "a blank name",
              w -> w.http.post("/v1/users", w.key, VALID_PERSON.replace("Bea Costa", "   ")),
              400,
              "name"),
          bad(
              "a name of 201 characters",
              w ->
                  w.http.post(
                      "/v1/users", w.key, VALID_PERSON.replace("Bea Costa", "B".repeat(201))),
              400,
              "name"),
          bad(
              "a name with a control character",
              w -> w.http.patch(w.person(), w.token, "{\"name\":\"Bea\\u0000Costa\"}"),
              400,
              "name"),
          bad(
              "every field invalid at once",
              w ->
                  w.http.post(
                      "/v1/users",
                      w.key,
                      "{\"name\":\"\",\"phone\":\"12\",\"email\":\"x\",\"birthDate\":\"tomorrow\","
                          + "\"gender\":\""
                          + "g".repeat(51)
                          + "\",\"occupation\":\""
                          + "o".repeat(101)
                          + "\"}"),
              400,
              "name",
              "phone",
              "email",
              "birthDate",
              "gender",
              "occupation"),
          bad(
              "removing the phone",
              w -> w.http.patch(w.person(), w.token, "{\"phone\":null}"),
              400,
              "phone"),
          bad(
              "a valid change next to an invalid one",
              w ->
                  w.http.patch(w.person(), w.token, "{\"occupation\":\"chef\",\"email\":\"nope\"}"),
              400,
              "email"),
          bad(
              "a service name with spaces",
              w ->
                  w.http.post(
                      "/v1/services", ADMIN, "{\"name\":\"my maps\",\"purposes\":[\"account\"]}"),
              400,
              "name"),
          bad(
              "an empty list of purposes",
              w -> w.http.post("/v1/services", ADMIN, "{\"name\":\"maps\",\"purposes\":[]}"),
              400,
              "purposes"),
          bad(
              "an unknown channel",
              w ->
                  w.http.post(
                      "/v1/auth/otp", null, "{\"channel\":\"fax\",\"to\":\"+4915199000001\"}"),
              400,
              "channel"),
          bad(
              "an email address for an sms",
              w ->
                  w.http.post(
                      "/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"ana1@example.org\"}"),
              400,
              "to"),
          bad(
              "a code that is not six digits",
              w ->
                  w.http.post(
                      "/v1/auth/otp/verify",
                      null,
                      "{\"verificationId\":\"00000000-0000-0000-0000-000000000000\",\"code\":\"12ab\"}"),
              400,
              "code"),
          bad(
              "a verification id we could not have issued",
              w ->
                  w.http.post(
                      "/v1/auth/otp/verify",
                      null,
                      "{\"verificationId\":\"abc\\u0000\",\"code\":\"123456\"}"),
              400,
              "verificationId"),
          // Purposes.
          bad(
              "an unknown purpose for a service",
              w ->
                  w.http.post(
                      "/v1/services",
                      ADMIN,
                      "{\"name\":\"maps\",\"purposes\":[\"account\",\"telepathy\"]}"),
              400,
              "purposes[1]"),
          bad(
              "an unknown purpose in the consent path",
              w -> w.http.put(w.person() + "/consents/telepathy", w.token, "{\"granted\":true}"),
              400,
              "purpose"),
          bad(
              "an unknown purpose in Candor-Purpose",
              w -> w.http.get(w.person(), w.key, "Candor-Purpose", "telepathy"),
              400,
              "Candor-Purpose"),
          bad(
              "a blank Candor-Purpose",
              w -> w.http.get(w.person(), w.key, "Candor-Purpose", " "),
              400,
              "Candor-Purpose"),
          bad(
              "a level for a purpose without levels",
              w ->
                  w.http.put(
                      w.person() + "/consents/analytics",
                      w.token,
                      "{\"granted\":true,\"level\":\"precise\"}"),
              400,
              "level"),
          bad(
              "location without a level",
              w -> w.http.put(w.person() + "/consents/location", w.token, "{\"granted\":true}"),
              400,
              "level"),
          bad(
              "location with an unknown level",
              w ->
                  w.http.put(
                      w.person() + "/consents/location",
                      w.token,
                      "{\"granted\":true,\"level\":\"street\"}"),
              400,
              "level"),
          // Conflicts.
          bad(
              "withdrawing a purpose that cannot be withdrawn",
              w -> w.http.put(w.person() + "/consents/account", w.token, "{\"granted\":false}"),
              409),
          bad(
              "a phone already registered",
              w ->
                  w.http.post(
                      "/v1/users", w.key, VALID_PERSON.replace("+4915122223333", "+4915199000002")),
              409,
              "phone"),
          bad(
              "a service name already taken",
              w ->
                  w.http.post(
                      "/v1/services", ADMIN, "{\"name\":\"chat\",\"purposes\":[\"account\"]}"),
              409),
          // Size.
          bad(
              "a body over 1 MiB, ten times over",
              w -> tenTimes(() -> w.http.post("/v1/users", w.key, ONE_MIB_AND_A_BIT), 413),
              413),
          bad(
              "a body over 1 MiB sent in chunks",
              w -> chunked(w, "/v1/users", w.key, ONE_MIB_AND_A_BIT),
              413),
          // Ids.
          bad(
              "an unknown person",
              w ->
                  w.http.get(
                      "/v1/users/6f1c1c7e-8c4b-4c55-9a61-3f2b0d1e2a3b",
                      ADMIN,
                      "Candor-Purpose",
                      "account"),
              404),
          bad(
              "a malformed person id",
              w -> w.http.get("/v1/users/not-an-id", ADMIN, "Candor-Purpose", "account"),
              404),
          bad(
              "a person id with SQL in it",
              w -> w.http.get("/v1/users/1'%20OR%20'1'='1/data", ADMIN),
              404),
          bad(
              "an unknown person's consents",
              w ->
                  w.http.put(
                      "/v1/users/6f1c1c7e-8c4b-4c55-9a61-3f2b0d1e2a3b/consents/analytics",
                      w.key,
                      "{\"granted\":true}"),
              404),
          bad(
              "erasing an unknown person",
              w -> w.http.delete("/v1/users/00000000-0000-0000-0000-000000000000", ADMIN),
              404),
          // Tokens.
          bad("an unknown token", w -> w.http.get(w.person(), "cu_nope"), 401),
          bad(
              "an unknown service key",
              w -> w.http.get(w.person(), "not-a-key", "Candor-Purpose", "account"),
              401),
          bad(
              "a token that is far too long",
              w -> w.http.get(w.person() + "/data", "x".repeat(5000)),
              401),
          bad(
              "a Basic Authorization header",
              w -> w.http.get(w.person(), null, "Authorization", "Basic YWRtaW46YWRtaW4="),
              401),
          bad(
              "a bearer with no token",
              w -> w.http.get(w.person() + "/data", null, "Authorization", "Bearer"),
              401),
          // Content types.
          bad(
              "a text body",
              w -> w.http.post("/v1/users", w.key, VALID_PERSON, "Content-Type", "text/plain"),
              415),
          bad(
              "a form body",
              w ->
                  w.http.put(
                      w.person() + "/consents/analytics",
                      w.token,
                      "granted=false",
                      "Content-Type",
                      "application/x-www-form-urlencoded"),
              415),
          bad(
              "an XML body",
              w ->
                  w.http.patch(
                      w.person(),
                      w.token,
                      "<person><name>Eve</name></person>",
                      "Content-Type",
                      "application/xml"),
              415),
          // Requests too malformed to reach a route.
          bad(
              "a path with a broken percent-encoding",
              w -> raw(w, "GET /v1/users/%ZZ HTTP/1.1\r\nHost: localhost\r\n"),
              400),
          bad(
              "headers over the size limit",
              w ->
                  raw(
                      w,
                      "GET "
                          + w.person()
                          + " HTTP/1.1\r\nHost: localhost\r\nCandor-Purpose: "
                          + "a".repeat(20_000)
                          + "\r\n"),
              431),
          bad(
              "an unreadable Content-Length",
              w ->
                  raw(
                      w,
                      "POST /v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                          + "\r\nContent-Length: many\r\n"),
              400),
          bad(
              "a method HTTP does not know",
              w -> raw(w, "BREW /v1/users HTTP/1.1\r\nHost: localhost\r\n"),
              405),
          bad(
              "OPTIONS on a route",
              w -> raw(w, "OPTIONS /v1/services HTTP/1.1\r\nHost: localhost\r\n"),
              405),
          // Routes and methods.
          bad("an unknown route", w -> w.http.get("/v1/nothing-here", ADMIN), 404),
          bad(
              "an unknown route with a body",
              w -> w.http.post("/v2/users", w.key, VALID_PERSON),
              404),
          bad("a wrong method on services", w -> w.http.delete("/v1/services", ADMIN), 405),
          bad("a wrong method on a person", w -> w.http.post(w.person(), w.key, VALID_PERSON), 405),
          bad("a wrong method on health", w -> w.http.put("/health/live", null, "{}"), 405));

  private static final Map<Integer, String> SLUGS =
      Map.of(
          400, "invalid-request",
          401, "unauthenticated",
          404, "not-found",
          405, "method-not-allowed",
          409, "conflict",
          413, "payload-too-large",
          415, "unsupported-media-type",
          431, "http-431");

  @TempDir static Path dir;
  private static final PerDatabase<World> WORLDS =
      new PerDatabase<>(k -> new World(TestServer.start(k, dir.resolve(k))));

  private static World world(String kind) {
    return WORLDS.get(kind);
  }

  @AfterAll
  static void closeWorlds() throws Exception {
    WORLDS.closeAll();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String kind : TestDatabases.kinds()) {
      for (Case c : CASES) {
        out.add(Arguments.of(kind, c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("cases")
  void bad_input_gets_a_problem_naming_what_is_wrong_and_changes_nothing(String kind, Case c) {
    World world = world(kind);
    Map<String, List<String>> before = world.snapshot();
    assertThat(before.get("people")).as("the snapshot sees the rows").hasSize(2);

    Http.Response r = c.call().apply(world);

    assertThat(r.status()).as("%s: %s", c, r).isLessThan(500);
    assertProblem(r, c.status(), c.fields().toArray(new String[0]));
    // One kind of mistake, one problem type, whoever noticed it.
    assertThat(r.json().get("type").asText())
        .as("type of %s", r)
        .isEqualTo("https://candor.dev/problems/" + SLUGS.get(c.status()));
    assertThat(world.snapshot()).as("the database after %s", c).isEqualTo(before);
  }

  private static final List<String> ODD_VALUES =
      List.of(
          "null",
          "true",
          "0",
          "-1",
          "1e308",
          "12345678901234567890123",
          "\"\"",
          "\" \"",
          "\"" + "x".repeat(10_000) + "\"",
          "[]",
          "{}",
          "[\"account\"]",
          "{\"a\":{\"b\":[1,2,{}]}}",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\"😀👩‍👩‍👧\"",
          "\"'; DROP TABLE people; --\"",
          "\"+\"",
          "\"@\"",
          "\"../../etc/passwd\"",
          "\"2024-02-29T00:00:00Z\"",
          "\"-0001-01-01\"");

  private static String with(Map<String, String> valid, String field, String raw) {
    StringBuilder out = new StringBuilder("{");
    valid.forEach(
        (k, v) -> {
          if (out.length() > 1) {
            out.append(',');
          }
          out.append('"').append(k).append("\":").append(k.equals(field) ? raw : v);
        });
    return out.append('}').toString();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void a_value_of_any_type_in_any_field_never_makes_the_server_fail(String kind) {
    try (TestServer server = TestServer.start(kind, dir.resolve("odd-" + kind))) {
      Http http = server.http();
      String key = server.service("chat", "account");
      String id = server.person(key);
      String token = server.signIn("sms", "+4915199000001");
      Map<String, String> person = new java.util.LinkedHashMap<>();
      person.put("name", "\"Odd\"");
      person.put("phone", "\"+4915166600000\"");
      person.put("email", "\"odd@example.org\"");
      person.put("birthDate", "\"1990-01-01\"");
      person.put("gender", "\"f\"");
      person.put("occupation", "\"x\"");
      Map<String, String> consent = new java.util.LinkedHashMap<>();
      consent.put("granted", "true");
      consent.put("level", "\"precise\"");
      Map<String, String> service = new java.util.LinkedHashMap<>();
      service.put("name", "\"odd\"");
      service.put("purposes", "[\"account\"]");
      Map<String, String> otp = new java.util.LinkedHashMap<>();
      otp.put("channel", "\"email\"");
      otp.put("to", "\"odd@example.org\"");
      Map<String, String> verify = new java.util.LinkedHashMap<>();
      verify.put("verificationId", "\"00000000-0000-0000-0000-000000000000\"");
      verify.put("code", "\"123456\"");

      List<String> failures = new ArrayList<>();
      for (String raw : ODD_VALUES) {
        for (String field : person.keySet()) {
          check(failures, http.post("/v1/users", key, with(person, field, raw)), "POST users");
          check(failures, http.patch("/v1/users/" + id, token, with(person, field, raw)), "PATCH");
        }
        for (String field : consent.keySet()) {
          for (String purpose : List.of("location", "analytics", "account")) {
            check(
                failures,
                http.put(
                    "/v1/users/" + id + "/consents/" + purpose, token, with(consent, field, raw)),
                "PUT consents");
          }
        }
        for (String field : service.keySet()) {
          check(
              failures,
              http.post("/v1/services", TestServer.ADMIN_TOKEN, with(service, field, raw)),
              "POST services");
        }
        for (String field : otp.keySet()) {
          check(failures, http.post("/v1/auth/otp", null, with(otp, field, raw)), "otp");
        }
        for (String field : verify.keySet()) {
          check(
              failures, http.post("/v1/auth/otp/verify", null, with(verify, field, raw)), "verify");
        }
        String header = raw.replaceAll("[^ -~]", "?");
        if (header.length() < 1000) {
          check(
              failures,
              http.get("/v1/users/" + id, key, "Candor-Purpose", header),
              "Candor-Purpose");
          check(
              failures,
              http.put(
                  "/v1/users/"
                      + id
                      + "/consents/"
                      + java.net.URLEncoder.encode(header, StandardCharsets.UTF_8),
                  token,
                  "{\"granted\":true}"),
              "purpose path");
        }
      }
      assertThat(failures).isEmpty();
    }
  }

  private static void check(List<String> failures, Http.Response r, String where) {
    boolean fine =
        r.status() < 500
            && (r.status() < 400
                || r.header("Content-Type").startsWith("application/problem+json"));
    if (!fine) {
      failures.add(where + ": " + r);
    }
  }

  /**
   * Calls ten times and returns the first answer that is not {@code status}, or the last: a client
   * must get the answer every time, not a reset connection now and then.
   */
  private static Http.Response tenTimes(
      java.util.function.Supplier<Http.Response> call, int status) {
    Http.Response r = call.get();
    for (int i = 1; i < 10 && r.status() == status; i++) {
      r = call.get();
    }
    return r;
  }

  /** Sends {@code head} (request line and headers) as is over a socket, and reads the answer. */
  private static Http.Response raw(World w, String head) {
    try (Socket socket = new Socket("localhost", w.server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int split = answer.indexOf("\r\n\r\n");
      assertThat(split).as("an HTTP answer: %s", answer).isPositive();
      String[] lines = answer.substring(0, split).split("\r\n");
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers
            .computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      return new Http.Response(
          Integer.parseInt(lines[0].split(" ")[1]),
          headers,
          answer.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Sends {@code body} without a Content-Length, in chunks. */
  private static Http.Response chunked(World w, String path, String token, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + w.server.port() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)))
            .build();
    try {
      HttpResponse<byte[]> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Http.Response(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
