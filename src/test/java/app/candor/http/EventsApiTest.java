package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.json.Json;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/events} over a real socket, on each database: every event gets its outcome, a bad
 * event never fails the good ones, retries are stored once, only consenting people are collected,
 * limits give 413, malformed bodies give 400 and no caller but a service with {@code analytics} may
 * send. Nothing refused is ever stored.
 */
class EventsApiTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server with a sending service, an account service, and three people. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final Http http;
    final String events;
    final String chat;

    /** Consented to analytics. */
    final String ana;

    /** Also consented. */
    final String bea;

    /** Never consented. */
    final String cid;

    World(String kind, Path dir) {
      server = TestServer.start(kind, dir);
      http = server.http();
      events = server.service("app-events", "analytics");
      chat = server.service("chat", "account", "messaging");
      ana = server.person(chat);
      bea = server.person(chat);
      cid = server.person(chat);
      consent(ana, true);
      consent(bea, true);
    }

    void consent(String id, boolean granted) {
      Http.Response r =
          http.put(
              "/v1/users/" + id + "/consents/analytics", chat, "{\"granted\":" + granted + "}");
      assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    Http.Response send(String token, JsonNode... events) {
      ArrayNode batch = NODES.arrayNode();
      for (JsonNode e : events) {
        batch.add(e);
      }
      return send(token, batch);
    }

    Http.Response send(String token, ArrayNode batch) {
      return http.post("/v1/events", token, text(NODES.objectNode().set("batch", batch)));
    }

    /** Sends and expects a 200 with that outcome. */
    JsonNode sent(JsonNode... events) {
      Http.Response r = send(this.events, events);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      JsonNode outcome = r.json();
      assertThat(
              outcome.get("accepted").asInt()
                  + outcome.get("duplicates").asInt()
                  + outcome.get("droppedNoConsent").asInt()
                  + outcome.get("rejected").size())
          .as("every event of %s accounted for once", r)
          .isEqualTo(events.length);
      return outcome;
    }

    long stored(String id) {
      return server
          .candor()
          .database()
          .<Long, RuntimeException>withHandle(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM usage_events WHERE subject_id = :s")
                      .bind("s", id)
                      .mapTo(Long.class)
                      .one());
    }

    /** Every usage table's row count and the sum of the '*' rollup, to see that nothing moved. */
    Map<String, Long> snapshot() {
      server.candor().usage().catchUp();
      Map<String, Long> out = new HashMap<>();
      for (String table :
          List.of(
              "usage_events",
              "usage_person_days",
              "usage_feature_days",
              "usage_gaps",
              "usage_sessions",
              "usage_session_hist",
              "usage_cohorts")) {
        out.put(table, rows(server, table));
      }
      out.put(
          "uses",
          server
              .candor()
              .database()
              .<Long, RuntimeException>withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COALESCE(SUM(uses), 0) FROM usage_feature_days"
                                  + " WHERE feature = '*'")
                          .mapTo(Long.class)
                          .one()));
      return out;
    }

    @Override
    public void close() {
      server.close();
    }
  }

  static ObjectNode event(String userId, String messageId, String type, String name, Instant at) {
    ObjectNode e = NODES.objectNode();
    e.put("messageId", messageId);
    e.put("userId", userId);
    e.put("type", type);
    if (name != null) {
      e.put("name", name);
    }
    e.put("timestamp", at.toString());
    return e;
  }

  static ObjectNode track(String userId, String messageId) {
    ObjectNode e = event(userId, messageId, "track", "chat.send", Instant.now().minusSeconds(60));
    e.set("properties", NODES.objectNode().put("length", 42).put("sticker", true));
    e.set(
        "context",
        NODES
            .objectNode()
            .put("device", "Pixel 8")
            .put("os", "Android 15")
            .put("appVersion", "8.0.1")
            .put("locale", "de-DE"));
    return e;
  }

  static String text(JsonNode node) {
    try {
      // Escaped, so that odd characters (a lone surrogate) reach the server as they are.
      return Json.mapper()
          .writer()
          .with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
          .writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Integer> rejectedIndexes(JsonNode outcome) {
    List<Integer> out = new ArrayList<>();
    outcome.get("rejected").forEach(r -> out.add(r.get("index").asInt()));
    return out;
  }

  private static JsonNode rejection(JsonNode outcome, int index) {
    for (JsonNode r : outcome.get("rejected")) {
      if (r.get("index").asInt() == index) {
        return r;
      }
    }
    throw new AssertionError("event " + index + " was not rejected: " + outcome);
  }

  private static List<String> fields(JsonNode rejection) {
    List<String> out = new ArrayList<>();
    rejection
        .get("errors")
        .forEach(
            e -> {
              assertThat(e.path("message").asText()).as("message in %s", rejection).isNotBlank();
              out.add(e.get("field").asText());
            });
    return out;
  }

  // ------------------------------------------------------------------ outcomes

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void each_event_gets_its_outcome_and_a_bad_one_never_fails_the_good_ones(String kind) {
    try (World w = new World(kind, dir)) {
      String unknown = UUID.randomUUID().toString();
      Instant now = Instant.now();
      JsonNode outcome =
          w.sent(
              track(w.ana, "m-1"), // 0 accepted
              event(w.ana, "m-2", "screen", "home", now.minusSeconds(30)), // 1 accepted
              event(w.ana, "m-3", "click", "home", now), // 2 bad type
              track(w.cid, "m-4"), // 3 no consent
              track(unknown, "m-5"), // 4 unknown person
              event(w.ana, "m-1", "track", "chat.send", now.minusSeconds(60)), // 5 dup of 0
              NODES.objectNode().put("messageId", "m-7"), // 6 missing almost everything
              event(w.bea, "m-8", "session_start", null, now.minusSeconds(90)), // 7 accepted
              event(w.ana, "m-9", "track", "chat.send", now.plus(Duration.ofMinutes(11))), // 8
              event(w.ana, "m-10", "track", "chat.send", now.minus(Duration.ofDays(400))), // 9
              event(w.ana, "m-11", "track", "no,commas", now), // 10 bad name
              NODES.textNode("not an event")); // 11

      assertThat(outcome.get("accepted").asInt()).isEqualTo(3);
      assertThat(outcome.get("duplicates").asInt()).isEqualTo(1);
      assertThat(outcome.get("droppedNoConsent").asInt()).isEqualTo(2);
      assertThat(rejectedIndexes(outcome)).containsExactly(2, 6, 8, 9, 10, 11);
      assertThat(fields(rejection(outcome, 2))).containsExactly("type");
      assertThat(fields(rejection(outcome, 6)))
          .containsExactlyInAnyOrder("userId", "type", "name", "timestamp");
      assertThat(fields(rejection(outcome, 8))).containsExactly("timestamp");
      assertThat(fields(rejection(outcome, 9))).containsExactly("timestamp");
      assertThat(fields(rejection(outcome, 10))).containsExactly("name");
      assertThat(fields(rejection(outcome, 11))).containsExactly("event");

      assertThat(w.stored(w.ana)).isEqualTo(2);
      assertThat(w.stored(w.bea)).isEqualTo(1);
      assertThat(w.stored(w.cid)).isZero();
      assertThat(w.stored(unknown)).isZero();
      assertThat(rows(w.server, "usage_events")).isEqualTo(3);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_retried_batch_is_stored_once_within_a_batch_and_across_batches(String kind) {
    try (World w = new World(kind, dir)) {
      JsonNode[] batch = {track(w.ana, "r-1"), track(w.ana, "r-2"), track(w.bea, "r-1")};
      JsonNode first = w.sent(batch);
      assertThat(first.get("accepted").asInt()).isEqualTo(3);
      assertThat(first.get("duplicates").asInt()).isZero();
      Map<String, Long> before = w.snapshot();

      // The client did not hear the answer and retries: nothing new is stored or counted.
      JsonNode retry = w.sent(batch);
      assertThat(retry.get("accepted").asInt()).isZero();
      assertThat(retry.get("duplicates").asInt()).isEqualTo(3);
      assertThat(w.snapshot()).isEqualTo(before);

      // Overlapping batches, and the same id twice in one batch, even with other content.
      JsonNode mixed =
          w.sent(
              track(w.ana, "r-2"),
              track(w.ana, "r-3"),
              event(w.ana, "r-3", "screen", "other", Instant.now()),
              track(w.ana, "r-3"));
      assertThat(mixed.get("accepted").asInt()).isEqualTo(1);
      assertThat(mixed.get("duplicates").asInt()).isEqualTo(3);
      assertThat(w.stored(w.ana)).isEqualTo(3);
      assertThat(w.stored(w.bea)).isEqualTo(1);
      // The rollups count each stored event once.
      assertThat(w.snapshot().get("uses")).isEqualTo(4);

      // The user id's letter case does not make another event.
      JsonNode upper = w.sent(track(w.ana.toUpperCase(java.util.Locale.ROOT), "r-1"));
      assertThat(upper.get("duplicates").asInt()).isEqualTo(1);
      assertThat(w.stored(w.ana)).isEqualTo(3);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void withdrawing_consent_stops_collection_for_the_very_next_batch(String kind) {
    try (World w = new World(kind, dir)) {
      assertThat(w.sent(track(w.ana, "c-1")).get("accepted").asInt()).isEqualTo(1);

      w.consent(w.ana, false);
      JsonNode after = w.sent(track(w.ana, "c-2"), track(w.bea, "c-2"));
      assertThat(after.get("accepted").asInt()).isEqualTo(1);
      assertThat(after.get("droppedNoConsent").asInt()).isEqualTo(1);
      assertThat(w.stored(w.ana)).isEqualTo(1);

      // The person changes their mind, in their own privacy center.
      String token = w.server.signIn("sms", phoneOf(w, w.ana));
      Http.Response regranted =
          w.http.put("/v1/users/" + w.ana + "/consents/analytics", token, "{\"granted\":true}");
      assertThat(regranted.status()).as("%s", regranted).isEqualTo(200);
      assertThat(w.sent(track(w.ana, "c-3")).get("accepted").asInt()).isEqualTo(1);
      Http.Response withdrawn =
          w.http.put("/v1/users/" + w.ana + "/consents/analytics", token, "{\"granted\":false}");
      assertThat(withdrawn.status()).as("%s", withdrawn).isEqualTo(200);
      assertThat(w.sent(track(w.ana, "c-4")).get("droppedNoConsent").asInt()).isEqualTo(1);
      assertThat(w.stored(w.ana)).isEqualTo(2);

      // An erased person is unknown from then on.
      assertThat(w.sent(track(w.bea, "c-5")).get("accepted").asInt()).isEqualTo(1);
      assertThat(w.http.delete("/v1/users/" + w.bea, ADMIN).status()).isEqualTo(200);
      assertThat(w.sent(track(w.bea, "c-6")).get("droppedNoConsent").asInt()).isEqualTo(1);
      assertThat(w.stored(w.bea)).isZero();
    }
  }

  private static String phoneOf(World w, String id) {
    Http.Response me = w.http.get("/v1/users/" + id, w.chat, "Candor-Purpose", "account");
    assertThat(me.status()).as("%s", me).isEqualTo(200);
    return me.json().get("phone").asText();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void timestamps_too_far_ahead_or_older_than_the_retention_are_rejected_with_a_reason(
      String kind) {
    try (World w = new World(kind, dir)) {
      Instant now = Instant.now();
      JsonNode outcome =
          w.sent(
              event(w.ana, "t-0", "track", "a", now.plus(Duration.ofMinutes(9))),
              event(w.ana, "t-1", "track", "a", now.plus(Duration.ofMinutes(11))),
              event(w.ana, "t-2", "track", "a", now.minus(Duration.ofDays(394))),
              event(w.ana, "t-3", "track", "a", now.minus(Duration.ofDays(396))),
              event(w.ana, "t-4", "track", "a", now).put("timestamp", "2025-01-01"),
              event(w.ana, "t-5", "track", "a", now).put("timestamp", "2025-01-01T10:00:00"),
              event(w.ana, "t-6", "track", "a", now).put("timestamp", "yesterday"),
              event(w.ana, "t-7", "track", "a", now).put("timestamp", 1_700_000_000_000L),
              event(w.ana, "t-8", "track", "a", now)
                  .put("timestamp", now.atOffset(java.time.ZoneOffset.ofHours(9)).toString()),
              event(w.ana, "t-9", "track", "a", now).put("timestamp", "+999999999-12-31T23:59:59Z"),
              event(w.ana, "t-10", "track", "a", now)
                  .put("timestamp", "-999999999-01-01T00:00:00Z"),
              event(w.ana, "t-11", "track", "a", now).put("timestamp", "2025-02-30T10:00:00Z"));
      assertThat(outcome.get("accepted").asInt()).isEqualTo(3);
      assertThat(rejectedIndexes(outcome)).containsExactly(1, 3, 4, 5, 6, 7, 9, 10, 11);
      for (int i : rejectedIndexes(outcome)) {
        assertThat(fields(rejection(outcome, i))).containsExactly("timestamp");
      }
      assertThat(rejection(outcome, 1).toString()).contains("future");
      assertThat(rejection(outcome, 3).toString()).contains("retention");
      assertThat(w.stored(w.ana)).isEqualTo(3);
    }
  }

  // ------------------------------------------------------------------ limits

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void an_event_over_32_kb_is_rejected_alone(String kind) {
    try (World w = new World(kind, dir)) {
      ObjectNode big = track(w.ana, "big");
      big.set("properties", NODES.objectNode().put("blob", "x".repeat(33 * 1024)));
      ObjectNode justUnder = track(w.ana, "just-under");
      justUnder.set("properties", NODES.objectNode().put("blob", "y".repeat(31 * 1024)));
      JsonNode outcome = w.sent(track(w.ana, "small"), big, justUnder);
      assertThat(outcome.get("accepted").asInt()).isEqualTo(2);
      assertThat(rejectedIndexes(outcome)).containsExactly(1);
      assertThat(fields(rejection(outcome, 1))).containsExactly("event");
      assertThat(rejection(outcome, 1).toString()).contains("32768");
      assertThat(w.stored(w.ana)).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_batch_over_1000_events_or_500_kb_is_413_and_stores_nothing(String kind) {
    try (World w = new World(kind, dir)) {
      ArrayNode thousand = NODES.arrayNode();
      for (int i = 0; i < 1000; i++) {
        thousand.add(event(w.ana, "k-" + i, "track", "f", Instant.now().minusSeconds(i)));
      }
      Http.Response ok = w.send(w.events, thousand);
      assertThat(ok.status()).as("%s", ok).isEqualTo(200);
      assertThat(ok.json().get("accepted").asInt()).isEqualTo(1000);
      Map<String, Long> before = w.snapshot();

      ArrayNode tooMany = NODES.arrayNode();
      for (int i = 0; i < 1001; i++) {
        tooMany.add(event(w.ana, "n-" + i, "track", "f", Instant.now()));
      }
      assertProblem(w.send(w.events, tooMany), 413);

      // 20 events of 26 KB: each is fine, the batch (about 520 KB) is not.
      ArrayNode tooBig = NODES.arrayNode();
      for (int i = 0; i < 20; i++) {
        ObjectNode e = track(w.ana, "b-" + i);
        e.set("properties", NODES.objectNode().put("blob", "z".repeat(26 * 1024)));
        tooBig.add(e);
      }
      assertThat(text(NODES.objectNode().set("batch", tooBig)).length()).isGreaterThan(500 * 1024);
      assertProblem(w.send(w.events, tooBig), 413);

      // Beyond the server's request limit as well.
      ArrayNode huge = NODES.arrayNode();
      for (int i = 0; i < 40; i++) {
        ObjectNode e = track(w.ana, "h-" + i);
        e.set("properties", NODES.objectNode().put("blob", "z".repeat(30 * 1024)));
        huge.add(e);
      }
      assertProblem(w.send(w.events, huge), 413);

      assertThat(w.snapshot()).isEqualTo(before);
    }
  }

  // ------------------------------------------------------------------ malformed

  /** A body-level mistake and the fields the 400 names (none: just a 400 problem). */
  record Malformed(String name, String body, int status, List<String> fields) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> malformed() {
    List<Malformed> cases =
        List.of(
            new Malformed("not JSON", "{\"batch\": [", 400, List.of()),
            new Malformed("JSON then more text", "{\"batch\":[]} []", 400, List.of()),
            new Malformed("an empty body", "", 400, List.of("body")),
            new Malformed("a JSON array", "[{\"messageId\":\"x\"}]", 400, List.of("body")),
            new Malformed("a JSON string", "\"batch\"", 400, List.of("body")),
            new Malformed("a JSON number", "42", 400, List.of("body")),
            new Malformed("JSON null", "null", 400, List.of("body")),
            new Malformed("no batch", "{}", 400, List.of("batch")),
            new Malformed("batch null", "{\"batch\":null}", 400, List.of("batch")),
            new Malformed("batch an object", "{\"batch\":{\"0\":{}}}", 400, List.of("batch")),
            new Malformed("batch a string", "{\"batch\":\"[]\"}", 400, List.of("batch")),
            new Malformed("batch a number", "{\"batch\":1}", 400, List.of("batch")),
            new Malformed(
                "an unknown field beside the batch",
                "{\"batch\":[],\"sentAt\":\"2025-01-01T00:00:00Z\"}",
                400,
                List.of("sentAt")),
            new Malformed(
                "nesting deeper than anyone needs",
                "{\"batch\":[{\"properties\":"
                    + "{\"a\":".repeat(3000)
                    + "1"
                    + "}".repeat(3000)
                    + "}]}",
                400,
                List.of()),
            new Malformed("invalid UTF-8 escapes", "{\"batch\":[\"\\uZZZZ\"]}", 400, List.of()),
            new Malformed(
                "a bad escape deep in the properties",
                "{\"batch\":[{\"properties\":{\"a\":[{\"b\":\"\\uZZZZ\"}]}}]}",
                400,
                List.of()),
            new Malformed(
                "a bad escape in an unknown field",
                "{\"batch\":[{\"extra\":\"\\q\"}]}",
                400,
                List.of()),
            new Malformed(
                "a batch cut short", "{\"batch\":[{\"properties\":{\"a\":[1,", 400, List.of()));
    List<Arguments> out = new ArrayList<>();
    for (String kind : kinds()) {
      for (Malformed m : cases) {
        out.add(Arguments.of(kind, m));
      }
    }
    return out.stream();
  }

  /** One server per database for all the malformed bodies (they change nothing). */
  @TempDir static Path shared;

  private static final app.candor.testing.PerDatabase<World> WORLDS =
      new app.candor.testing.PerDatabase<>(k -> new World(k, shared.resolve(k)));

  @org.junit.jupiter.api.AfterAll
  static void closeWorlds() throws Exception {
    WORLDS.closeAll();
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("malformed")
  void a_malformed_body_is_a_400_problem_and_stores_nothing(String kind, Malformed m) {
    World w = WORLDS.get(kind);
    assertThat(w.sent(track(w.ana, "before-" + m.name())).get("accepted").asInt()).isEqualTo(1);
    Map<String, Long> before = w.snapshot();
    Http.Response r = w.http.post("/v1/events", w.events, m.body());
    assertProblem(r, m.status(), m.fields().toArray(String[]::new));
    assertThat(w.snapshot()).isEqualTo(before);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_body_that_is_not_json_by_content_type_is_a_415_problem(String kind) {
    try (World w = new World(kind, dir)) {
      Http.Response r =
          w.http.post("/v1/events", w.events, "{\"batch\":[]}", "Content-Type", "text/plain");
      assertProblem(r, 415);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_wrong_type_in_any_field_rejects_that_event_naming_the_field(String kind) {
    try (World w = new World(kind, dir)) {
      List<JsonNode> wrong =
          List.of(
              NODES.numberNode(7),
              NODES.booleanNode(true),
              NODES.arrayNode(),
              NODES.objectNode(),
              NODES.textNode(""));
      List<String> fields =
          List.of("messageId", "userId", "type", "name", "timestamp", "properties", "context");
      List<JsonNode> batch = new ArrayList<>();
      List<String> expected = new ArrayList<>();
      for (String field : fields) {
        for (JsonNode value : wrong) {
          boolean objectField = field.equals("properties") || field.equals("context");
          if (objectField && value.isObject()) {
            continue; // an object is right there
          }
          ObjectNode e = track(w.ana, "w-" + batch.size());
          e.set(field, value);
          batch.add(e);
          expected.add(field);
        }
      }
      for (String key : List.of("device", "os", "appVersion", "locale")) {
        ObjectNode e = track(w.ana, "w-" + batch.size());
        ((ObjectNode) e.get("context")).put(key, 3);
        batch.add(e);
        expected.add("context." + key);
      }
      ObjectNode unknown = track(w.ana, "w-" + batch.size());
      unknown.put("event", "chat.send");
      batch.add(unknown);
      expected.add("event");
      ObjectNode good = track(w.ana, "good");
      batch.add(good);

      JsonNode outcome = w.sent(batch.toArray(JsonNode[]::new));
      assertThat(outcome.get("accepted").asInt()).isEqualTo(1);
      assertThat(outcome.get("rejected").size()).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(fields(rejection(outcome, i)))
            .as("errors of event %d, %s", i, batch.get(i))
            .containsExactly(expected.get(i));
      }
      assertThat(w.stored(w.ana)).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_message_id_that_cannot_be_stored_as_text_is_rejected_and_fails_nothing_else(String kind) {
    try (World w = new World(kind, dir)) {
      JsonNode outcome =
          w.sent(
              track(w.ana, "ok-1"),
              track(w.ana, "nul\u0000byte"),
              track(w.ana, "bell\u0007"),
              track(w.ana, "lone\ud800surrogate"),
              track(w.ana, "other\udbffsurrogate"),
              track(w.ana, "emoji \ud83d\ude42 and \u00fcmlauts are fine"));
      assertThat(outcome.get("accepted").asInt()).isEqualTo(2);
      assertThat(rejectedIndexes(outcome)).containsExactly(1, 2, 3, 4);
      for (int i = 1; i <= 4; i++) {
        assertThat(fields(rejection(outcome, i))).containsExactly("messageId");
      }
      List<String> ids =
          w.server
              .candor()
              .database()
              .<List<String>, RuntimeException>withHandle(
                  h ->
                      h.createQuery("SELECT message_id FROM usage_events ORDER BY message_id")
                          .mapTo(String.class)
                          .list());
      assertThat(ids).containsExactly("emoji \ud83d\ude42 and \u00fcmlauts are fine", "ok-1");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void no_random_batch_gets_a_5xx_and_every_event_is_accounted_for(String kind) {
    try (World w = new World(kind, dir)) {
      Random random = new Random(7);
      List<Function<Random, JsonNode>> values =
          List.of(
              r -> NODES.nullNode(),
              r -> NODES.numberNode(r.nextLong()),
              r -> NODES.numberNode(r.nextDouble() * 1e300),
              r -> NODES.booleanNode(r.nextBoolean()),
              r -> NODES.textNode(""),
              r -> NODES.textNode("\u0000\u0001"),
              r -> NODES.textNode("\ud800"),
              r -> NODES.textNode("🙂 emoji"),
              r -> NODES.textNode("x".repeat(r.nextInt(400))),
              r -> NODES.textNode(UUID.randomUUID().toString()),
              r -> NODES.textNode(w.ana),
              r -> NODES.textNode(w.ana.toUpperCase(java.util.Locale.ROOT)),
              r -> NODES.textNode("track"),
              r -> NODES.textNode("session_end"),
              r -> NODES.textNode(Instant.now().minusSeconds(r.nextInt(100_000)).toString()),
              r -> NODES.textNode("9999-12-31T23:59:59.999999999+18:00"),
              r -> NODES.textNode("0000-01-01T00:00:00-18:00"),
              r -> NODES.arrayNode().add(1).add("a"),
              r -> NODES.objectNode().put("k", r.nextInt()),
              r -> NODES.objectNode().set("device", NODES.objectNode()));
      List<String> fields =
          List.of(
              "messageId", "userId", "type", "name", "timestamp", "properties", "context", "extra");
      for (int round = 0; round < 30; round++) {
        ArrayNode batch = NODES.arrayNode();
        int n = 1 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
          ObjectNode e = track(w.ana, "f-" + round + "-" + i);
          int changes = random.nextInt(4);
          for (int c = 0; c < changes; c++) {
            String field = fields.get(random.nextInt(fields.size()));
            e.set(field, values.get(random.nextInt(values.size())).apply(random));
          }
          if (random.nextInt(20) == 0) {
            batch.add(values.get(random.nextInt(values.size())).apply(random));
          } else {
            batch.add(e);
          }
        }
        Http.Response r = w.send(w.events, batch);
        assertThat(r.status()).as("%s for %s", r, batch).isEqualTo(200);
        JsonNode outcome = r.json();
        assertThat(
                outcome.get("accepted").asInt()
                    + outcome.get("duplicates").asInt()
                    + outcome.get("droppedNoConsent").asInt()
                    + outcome.get("rejected").size())
            .isEqualTo(n);
      }
      // What was stored is exactly what the rollups count.
      assertThat(w.snapshot().get("uses")).isEqualTo(rows(w.server, "usage_events"));
    }
  }

  // ------------------------------------------------------------------ who may send

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void only_a_service_with_analytics_may_send_events(String kind) {
    try (World w = new World(kind, dir)) {
      String body = text(NODES.objectNode().set("batch", NODES.arrayNode().add(track(w.ana, "a"))));
      String token = w.server.signIn("sms", phoneOf(w, w.ana));
      String withoutAnalytics = w.server.service("ads", "personalization", "personalized_ads");

      assertProblem(w.http.post("/v1/events", null, body), 401);
      assertProblem(w.http.post("/v1/events", "not-a-real-token-0123456789", body), 401);
      assertProblem(w.http.post("/v1/events", ADMIN, body), 403);
      assertProblem(w.http.post("/v1/events", token, body), 403);
      assertProblem(w.http.post("/v1/events", w.chat, body), 403);
      assertProblem(w.http.post("/v1/events", withoutAnalytics, body), 403);
      assertThat(rows(w.server, "usage_events")).isZero();

      Http.Response ok = w.http.post("/v1/events", w.events, body);
      assertThat(ok.status()).as("%s", ok).isEqualTo(200);
      assertThat(rows(w.server, "usage_events")).isEqualTo(1);
    }
  }
}
