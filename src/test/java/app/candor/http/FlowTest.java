package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.json.Json;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole life of a person, over a real socket, on each database. */
class FlowTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final List<String> CATEGORIES =
      List.of("personal", "usage", "location", "payment", "communication", "marketing");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static Http.Response read(Http http, String id, String key, String purpose) {
    return http.get("/v1/users/" + id, key, "Candor-Purpose", purpose);
  }

  private static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static String anaBody(String phone, String email) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "Ana Lima");
    body.put("phone", phone);
    body.put("email", email);
    body.put("birthDate", "1990-05-17");
    body.put("gender", "female");
    body.put("occupation", "pilot");
    return json(body);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_person_is_created_signs_in_decides_reads_exports_and_is_erased(String kind)
      throws IOException {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();

      // An operator registers the services; each key is bound to its purposes.
      Http.Response service =
          http.post(
              "/v1/services",
              ADMIN,
              "{\"name\":\"chat\",\"purposes\":[\"account\",\"messaging\"]}");
      assertThat(service.status()).as("%s", service).isEqualTo(201);
      assertThat(service.json().get("id").asText()).isNotBlank();
      assertThat(service.json().get("name").asText()).isEqualTo("chat");
      assertThat(service.json().get("purposes"))
          .extracting(JsonNode::asText)
          .containsExactlyInAnyOrder("account", "messaging");
      String chat = service.json().get("apiKey").asText();
      assertThat(chat).isNotBlank();
      String ads = server.service("ads", "personalization", "personalized_ads");

      // The chat service creates the person.
      Http.Response created =
          http.post("/v1/users", chat, anaBody("+4915112345678", "Ana.Lima@Example.org"));
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      String id = created.json().get("id").asText();
      assertThat(created.json().get("name").asText()).isEqualTo("Ana Lima");
      assertThat(created.json().get("email").asText()).isEqualTo("ana.lima@example.org");
      assertThat(created.json().get("birthDate").asText()).isEqualTo("1990-05-17");

      // The person signs in with a one-time code, read from the operators' outbox.
      Http.Response started =
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}");
      assertThat(started.status()).as("%s", started).isEqualTo(202);
      assertThat(Instant.parse(started.json().get("expiresAt").asText()))
          .isBetween(
              Instant.now().plus(Duration.ofMinutes(9)),
              Instant.now().plus(Duration.ofMinutes(11)));
      JsonNode outbox = http.get("/v1/admin/outbox", ADMIN).json().get("messages");
      assertThat(outbox).hasSize(1);
      assertThat(outbox.get(0).get("to").asText()).isEqualTo("+4915112345678");
      Matcher code = CODE.matcher(outbox.get(0).get("body").asText());
      assertThat(code.find()).isTrue();
      Http.Response verified = HttpTesting.verify(http, started, code.group(1));
      assertThat(verified.status()).as("%s", verified).isEqualTo(200);
      assertThat(verified.json().get("userId").asText()).isEqualTo(id);
      String token = verified.json().get("token").asText();

      // The person sees everything, and the phone is now verified.
      Http.Response me = http.get("/v1/users/" + id, token);
      assertThat(me.status()).as("%s", me).isEqualTo(200);
      assertThat(me.json().get("occupation").asText()).isEqualTo("pilot");
      assertThat(me.json().get("phoneVerified").isTextual()).isTrue();
      assertThat(me.json().get("emailVerified").isNull()).isTrue();

      // A service reads for a purpose and gets only that purpose's fields.
      Http.Response forAccount = read(http, id, chat, "account");
      assertThat(forAccount.status()).as("%s", forAccount).isEqualTo(200);
      assertThat(keys(forAccount.json()))
          .containsExactlyInAnyOrder(
              "id", "name", "phone", "email", "birthDate", "phoneVerified", "emailVerified");
      assertThat(forAccount.json().get("phone").asText()).isEqualTo("+4915112345678");
      Http.Response forMessaging = read(http, id, chat, "messaging");
      assertThat(forMessaging.status()).as("%s", forMessaging).isEqualTo(200);
      assertThat(keys(forMessaging.json())).containsExactlyInAnyOrder("id", "name");

      // No purpose: 400; a purpose the key is not bound to: 403.
      assertProblem(http.get("/v1/users/" + id, chat), 400, "Candor-Purpose");
      assertProblem(read(http, id, chat, "personalization"), 403);

      // A consent purpose the person has not granted: refused until they grant it.
      assertProblem(read(http, id, ads, "personalization"), 403);
      Http.Response granted =
          http.put("/v1/users/" + id + "/consents/personalization", token, "{\"granted\":true}");
      assertThat(granted.status()).as("%s", granted).isEqualTo(200);
      assertThat(granted.json().get("granted").asBoolean()).isTrue();
      assertThat(granted.json().get("source").asText()).isEqualTo("user");
      Http.Response personalized = read(http, id, ads, "personalization");
      assertThat(personalized.status()).as("%s", personalized).isEqualTo(200);
      assertThat(keys(personalized.json()))
          .containsExactlyInAnyOrder("id", "birthDate", "gender", "occupation");
      assertThat(personalized.json().get("gender").asText()).isEqualTo("female");

      // Withdrawing takes effect for the very next read.
      Http.Response withdrawn =
          http.put("/v1/users/" + id + "/consents/personalization", token, "{\"granted\":false}");
      assertThat(withdrawn.status()).as("%s", withdrawn).isEqualTo(200);
      assertThat(withdrawn.json().get("granted").asBoolean()).isFalse();
      assertProblem(read(http, id, ads, "personalization"), 403);

      // A service with account relays a choice the person made in the app.
      Http.Response relayed =
          http.put("/v1/users/" + id + "/consents/analytics", chat, "{\"granted\":true}");
      assertThat(relayed.status()).as("%s", relayed).isEqualTo(200);
      assertThat(relayed.json().get("source").asText()).isEqualTo("service:chat");

      // The current consents, defaults included.
      Http.Response consents = http.get("/v1/users/" + id + "/consents", token);
      assertThat(consents.status()).as("%s", consents).isEqualTo(200);
      Map<String, JsonNode> byPurpose = new LinkedHashMap<>();
      consents.json().get("consents").forEach(c -> byPurpose.put(c.get("purpose").asText(), c));
      assertThat(byPurpose)
          .containsOnlyKeys(
              "account",
              "messaging",
              "payments",
              "safety",
              "analytics",
              "personalization",
              "location",
              "nearby_discovery",
              "personalized_ads");
      assertThat(byPurpose.get("account").get("granted").asBoolean()).isTrue();
      assertThat(byPurpose.get("account").get("required").asBoolean()).isTrue();
      assertThat(byPurpose.get("account").get("updatedAt").isNull()).isTrue();
      assertThat(byPurpose.get("personalization").get("granted").asBoolean()).isFalse();
      assertThat(byPurpose.get("personalization").get("updatedAt").isTextual()).isTrue();
      assertThat(byPurpose.get("analytics").get("granted").asBoolean()).isTrue();
      assertThat(byPurpose.get("location").get("granted").asBoolean()).isFalse();
      assertThat(byPurpose.get("personalized_ads").get("granted").asBoolean()).isFalse();

      // The history shows each change with its source, oldest first.
      Http.Response history = http.get("/v1/users/" + id + "/consents/history", token);
      assertThat(history.status()).as("%s", history).isEqualTo(200);
      List<String> events = new ArrayList<>();
      history
          .json()
          .get("events")
          .forEach(
              e ->
                  events.add(
                      e.get("purpose").asText()
                          + "="
                          + e.get("granted").asBoolean()
                          + " by "
                          + e.get("source").asText()));
      assertThat(events)
          .containsExactly(
              "personalization=true by user",
              "personalization=false by user",
              "analytics=true by service:chat");

      // The report covers all six categories and explains what is held.
      Http.Response report = http.get("/v1/users/" + id + "/data", token);
      assertThat(report.status()).as("%s", report).isEqualTo(200);
      assertThat(report.json().get("userId").asText()).isEqualTo(id);
      assertThat(report.json().get("generatedAt").asText()).isNotBlank();
      List<String> categoryIds = new ArrayList<>();
      report.json().get("categories").forEach(c -> categoryIds.add(c.get("id").asText()));
      assertThat(categoryIds).containsExactlyInAnyOrderElementsOf(CATEGORIES);
      JsonNode personal = report.json().get("categories").get(categoryIds.indexOf("personal"));
      Map<String, JsonNode> items = new LinkedHashMap<>();
      personal.get("items").forEach(i -> items.put(i.get("field").asText(), i));
      assertThat(items).containsKeys("name", "phone", "email", "birthDate", "gender", "occupation");
      JsonNode name = items.get("name");
      assertThat(name.get("value").asText()).isEqualTo("Ana Lima");
      assertThat(name.get("description").asText()).isNotBlank();
      assertThat(name.get("retention").asText()).isNotBlank();
      assertThat(name.get("encrypted").asBoolean()).isTrue();
      assertThat(name.get("purposes")).extracting(JsonNode::asText).contains("account");
      assertThat(name.get("firstCollected").asText()).isNotBlank();
      assertThat(name.get("lastCollected").asText()).isNotBlank();

      // The access log lists exactly the successful service reads: who, why, which fields.
      Http.Response log = http.get("/v1/users/" + id + "/access-log", token);
      assertThat(log.status()).as("%s", log).isEqualTo(200);
      List<String> entries = new ArrayList<>();
      for (JsonNode e : log.json().get("entries")) {
        assertThat(e.get("at").asText()).isNotBlank();
        List<String> fields = new ArrayList<>();
        e.get("fields").forEach(f -> fields.add(f.asText()));
        entries.add(
            e.get("service").asText()
                + " "
                + e.get("purpose").asText()
                + " "
                + fields.stream().sorted().toList());
      }
      assertThat(entries)
          .containsExactly(
              "service:chat account [personal.birthDate, personal.email, personal.emailVerified,"
                  + " personal.name, personal.phone, personal.phoneVerified]",
              "service:chat messaging [personal.name]",
              "service:ads personalization [personal.birthDate, personal.gender,"
                  + " personal.occupation]");

      // The export: one JSON per category, CSV tables and a README explaining every field.
      Http.Response export = http.get("/v1/users/" + id + "/export", token);
      assertThat(export.status()).as("%s", export).isEqualTo(200);
      assertThat(export.header("Content-Type")).startsWith("application/zip");
      Map<String, byte[]> files = unzip(export.body());
      for (String category : CATEGORIES) {
        assertThat(files).containsKey(category + ".json");
        JsonNode file = Json.mapper().readTree(files.get(category + ".json"));
        assertThat(file.get("category").asText()).isEqualTo(category);
        assertThat(file.get("userId").asText()).isEqualTo(id);
        assertThat(file.get("items").isArray()).isTrue();
      }
      JsonNode personalFile = Json.mapper().readTree(files.get("personal.json"));
      List<String> exported = new ArrayList<>();
      personalFile.get("items").forEach(i -> exported.add(i.get("field").asText()));
      assertThat(exported).contains("name", "phone", "email", "consents");
      assertThat(files.keySet()).anyMatch(f -> f.endsWith(".csv"));
      String sessions = text(files, "personal-sign-in-sessions.csv");
      assertThat(sessions.lines().findFirst().orElse("")).contains("startedAt");
      assertThat(sessions.lines().count()).isEqualTo(2);
      assertThat(files).containsKey("README.txt");
      String readme = text(files, "README.txt");
      for (String field : List.of("name", "phone", "email", "birthDate", "gender", "occupation")) {
        assertThat(readme).contains("- " + field + ":");
      }
      for (String f : files.keySet()) {
        assertThat(readme).contains(f);
      }

      // Erasure returns a receipt.
      Http.Response erased = http.delete("/v1/users/" + id, token);
      assertThat(erased.status()).as("%s", erased).isEqualTo(200);
      assertThat(erased.json().get("userId").asText()).isEqualTo(id);
      assertThat(erased.json().get("erasedAt").asText()).isNotBlank();
      assertThat(keys(erased.json().get("erased"))).containsExactlyInAnyOrderElementsOf(CATEGORIES);
      assertThat(erased.json().get("erased").get("personal").asInt()).isPositive();

      // Afterwards the person is gone everywhere, for operators and services too.
      String path = "/v1/users/" + id;
      assertProblem(read(http, id, ADMIN, "account"), 404);
      assertProblem(read(http, id, chat, "account"), 404);
      assertProblem(http.patch(path, ADMIN, "{\"occupation\":\"chef\"}"), 404);
      assertProblem(http.get(path + "/data", ADMIN), 404);
      assertProblem(http.get(path + "/export", ADMIN), 404);
      assertProblem(http.get(path + "/access-log", ADMIN), 404);
      assertProblem(http.get(path + "/consents", ADMIN), 404);
      assertProblem(http.get(path + "/consents/history", ADMIN), 404);
      assertProblem(http.put(path + "/consents/analytics", chat, "{\"granted\":false}"), 404);
      assertProblem(http.delete(path, ADMIN), 404);
      // The person's token no longer works.
      assertProblem(http.get(path, token), 401);
      // The address is unknown now: same answer, no code sent, and the old messages are gone.
      Http.Response again =
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}");
      assertThat(again.status()).as("%s", again).isEqualTo(202);
      assertThat(http.get("/v1/admin/outbox", ADMIN).json().get("messages")).isEmpty();
      // The same phone can register again, as a new person.
      Http.Response reborn =
          http.post("/v1/users", chat, anaBody("+4915112345678", "ana.lima@example.org"));
      assertThat(reborn.status()).as("%s", reborn).isEqualTo(201);
      assertThat(reborn.json().get("id").asText()).isNotEqualTo(id);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void patch_updates_fields_and_a_new_phone_is_no_longer_verified(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      String id = server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      String token = server.signIn("sms", "+4915112345678");
      assertThat(http.get("/v1/users/" + id, token).json().get("phoneVerified").isTextual())
          .isTrue();

      Http.Response byService =
          http.patch("/v1/users/" + id, chat, "{\"occupation\":\"chef\",\"gender\":null}");
      assertThat(byService.status()).as("%s", byService).isEqualTo(200);
      Http.Response mine = http.get("/v1/users/" + id, token);
      assertThat(mine.json().get("occupation").asText()).isEqualTo("chef");
      assertThat(mine.json().get("gender").isNull()).isTrue();
      assertThat(mine.json().get("name").asText()).isEqualTo("Ana Lima");
      assertThat(mine.json().get("phoneVerified").isTextual()).isTrue();

      Http.Response newPhone =
          http.patch(
              "/v1/users/" + id, token, "{\"phone\":\"+4915187654321\",\"name\":\"Ana L.\"}");
      assertThat(newPhone.status()).as("%s", newPhone).isEqualTo(200);
      assertThat(newPhone.json().get("phone").asText()).isEqualTo("+4915187654321");
      assertThat(newPhone.json().get("phoneVerified").isNull()).isTrue();
      mine = http.get("/v1/users/" + id, token);
      assertThat(mine.json().get("name").asText()).isEqualTo("Ana L.");
      assertThat(mine.json().get("phoneVerified").isNull()).isTrue();

      // The old number no longer leads to the person; the new one does.
      int before = server.outbox().size();
      Http.Response oldNumber =
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}");
      assertThat(oldNumber.status()).isEqualTo(202);
      assertThat(server.outbox()).hasSize(before);
      String again = server.signIn("sms", "+4915187654321");
      assertThat(http.get("/v1/users/" + id, again).json().get("phoneVerified").isTextual())
          .isTrue();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_phone_or_email_already_registered_is_a_conflict(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      String other = server.personFrom(chat, anaBody("+4915187654321", "other@example.org"));

      assertProblem(
          http.post("/v1/users", chat, anaBody("+4915112345678", "new@example.org")), 409, "phone");
      assertProblem(
          http.post("/v1/users", chat, anaBody("+4915100000000", "ANA@Example.org")), 409, "email");
      // The same number written another way is the same number.
      assertProblem(
          http.post("/v1/users", chat, anaBody("+49 151 12345678", "new@example.org")),
          409,
          "phone");
      assertProblem(
          http.post("/v1/users", chat, anaBody("+4915112345678", "ana@example.org")),
          409,
          "phone",
          "email");
      // Taking someone else's address by a change is a conflict too.
      assertProblem(
          http.patch("/v1/users/" + other, chat, "{\"email\":\"ana@example.org\"}"), 409, "email");
      assertThat(rows(server, "people")).isEqualTo(2);
      assertThat(read(http, other, chat, "account").json().get("email").asText())
          .isEqualTo("other@example.org");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_wrong_code_is_refused_and_the_sixth_attempt_is_too_many(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      Http.Response started =
          http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"ana@example.org\"}");
      assertThat(started.status()).isEqualTo(202);
      String verification = started.json().get("verificationId").asText();
      String right = server.latestCode("ana@example.org");
      String wrong = right.equals("000000") ? "111111" : "000000";
      for (int attempt = 1; attempt <= 5; attempt++) {
        assertProblem(
            http.post(
                "/v1/auth/otp/verify",
                null,
                json(Map.of("verificationId", verification, "code", wrong))),
            401);
      }
      // The sixth attempt is refused even with the right code.
      Http.Response sixth =
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(Map.of("verificationId", verification, "code", right)));
      assertProblem(sixth, 429);
      assertThat(sixth.header("Retry-After")).isNotBlank();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_code_works_once(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      String id = server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      Http.Response started =
          http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"ana@example.org\"}");
      String body =
          json(
              Map.of(
                  "verificationId",
                  started.json().get("verificationId").asText(),
                  "code",
                  server.latestCode("ana@example.org")));
      Http.Response first = http.post("/v1/auth/otp/verify", null, body);
      assertThat(first.status()).as("%s", first).isEqualTo(200);
      assertThat(
              http.get("/v1/users/" + id, first.json().get("token").asText())
                  .json()
                  .get("emailVerified")
                  .isTextual())
          .isTrue();
      assertProblem(http.post("/v1/auth/otp/verify", null, body), 401);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void an_unknown_address_gets_the_same_answer_and_no_message(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      Http.Response known =
          http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"ana@example.org\"}");
      Http.Response unknown =
          http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"nobody@example.org\"}");
      assertThat(unknown.status()).as("%s", unknown).isEqualTo(202);
      assertThat(keys(unknown.json())).isEqualTo(keys(known.json()));
      assertThat(unknown.json().get("verificationId").asText()).isNotBlank();
      JsonNode messages = http.get("/v1/admin/outbox", ADMIN).json().get("messages");
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).get("to").asText()).isEqualTo("ana@example.org");
      // No code can open a verification for an unknown address.
      for (String code : List.of("000000", "123456")) {
        assertProblem(
            http.post(
                "/v1/auth/otp/verify",
                null,
                json(
                    Map.of(
                        "verificationId",
                        unknown.json().get("verificationId").asText(),
                        "code",
                        code))),
            401);
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void too_many_code_requests_for_one_address_are_refused(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account");
      server.personFrom(chat, anaBody("+4915112345678", "ana@example.org"));
      String request = "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}";
      for (int i = 1; i <= 5; i++) {
        assertThat(http.post("/v1/auth/otp", null, request).status()).isEqualTo(202);
      }
      Http.Response sixth = http.post("/v1/auth/otp", null, request);
      assertProblem(sixth, 429);
      assertThat(sixth.header("Retry-After")).isNotBlank();
      assertThat(server.outbox()).hasSize(5);
      // The same number written another way is the same address.
      assertProblem(
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+49 151 12345678\"}"),
          429);
      // Unknown addresses are limited the same way, so the limit reveals nothing.
      String unknown = "{\"channel\":\"sms\",\"to\":\"+4915100000000\"}";
      for (int i = 1; i <= 5; i++) {
        assertThat(http.post("/v1/auth/otp", null, unknown).status()).isEqualTo(202);
      }
      assertProblem(http.post("/v1/auth/otp", null, unknown), 429);
      // Other addresses are not affected.
      assertThat(
              http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"ana@example.org\"}")
                  .status())
          .isEqualTo(202);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void codes_and_tokens_expire(String kind) {
    MutableClock clock = MutableClock.startingNow();
    try (Candor candor = Candor.withOutbox(TestDatabases.config(kind, dir), clock)) {
      Http http = new Http("http://localhost:" + candor.start());
      Http.Response service =
          http.post("/v1/services", ADMIN, "{\"name\":\"chat\",\"purposes\":[\"account\"]}");
      String chat = service.json().get("apiKey").asText();
      Http.Response created =
          http.post("/v1/users", chat, anaBody("+4915112345678", "ana@example.org"));
      String id = created.json().get("id").asText();
      String otp = "{\"channel\":\"email\",\"to\":\"ana@example.org\"}";

      // A code is worth 10 minutes.
      Http.Response old = http.post("/v1/auth/otp", null, otp);
      String oldCode = codeFrom(candor);
      clock.advance(Duration.ofMinutes(10).plusSeconds(1));
      assertProblem(
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(
                  Map.of(
                      "verificationId",
                      old.json().get("verificationId").asText(),
                      "code",
                      oldCode))),
          401);

      // A sign-in lasts a day.
      Http.Response fresh = http.post("/v1/auth/otp", null, otp);
      Http.Response verified =
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(
                  Map.of(
                      "verificationId",
                      fresh.json().get("verificationId").asText(),
                      "code",
                      codeFrom(candor))));
      assertThat(verified.status()).as("%s", verified).isEqualTo(200);
      String token = verified.json().get("token").asText();
      clock.advance(Duration.ofHours(23));
      assertThat(http.get("/v1/users/" + id, token).status()).isEqualTo(200);
      clock.advance(Duration.ofHours(1).plusSeconds(1));
      assertProblem(http.get("/v1/users/" + id, token), 401);
    }
  }

  private static String codeFrom(Candor candor) {
    Matcher m = CODE.matcher(candor.outbox().orElseThrow().messages().get(0).body());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        out.put(entry.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private static String text(Map<String, byte[]> files, String name) {
    assertThat(files).containsKey(name);
    return new String(files.get(name), StandardCharsets.UTF_8);
  }
}
