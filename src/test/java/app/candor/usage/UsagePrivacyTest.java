package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.json.Json;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Usage data in the person's privacy rights: it is in their report (counts, first and last seen,
 * top features) and in their export (every event with its properties and context decrypted, every
 * session), it is gone after erasure (rows and, on the embedded database, every byte of it), its
 * free-form details are never stored in the clear, and the transparency page counts it live.
 */
class UsagePrivacyTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");
  static final long MINUTE = 60_000L;
  static final long T0 = Instant.parse("2026-03-16T08:00:00Z").toEpochMilli();
  static final long DAY = 86_400_000L;

  /** Free-form details only the person's key can read. */
  static final List<String> SECRETS =
      List.of(
          "Zephyrine-note-7781",
          "lighthouse keeper recipes zq",
          "Quillphone X9-Zq",
          "QuillOS 77.3-zq",
          "9.9.9-zq",
          "zq-QQ");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static ObjectNode detailed(String person, String id, String type, String name, long at) {
    ObjectNode e = UsageWorld.event(person, id, type, name, at);
    e.set(
        "properties",
        UsageWorld.NODES
            .objectNode()
            .put("note", SECRETS.get(0))
            .put("query", SECRETS.get(1))
            .put("count", 3));
    e.set(
        "context",
        UsageWorld.NODES
            .objectNode()
            .put("device", SECRETS.get(2))
            .put("os", SECRETS.get(3))
            .put("appVersion", SECRETS.get(4))
            .put("locale", SECRETS.get(5)));
    return e;
  }

  /** Ana's events: two days, two sessions (one explicit), details on most. */
  private static List<ObjectNode> anasEvents(String ana) {
    return List.of(
        detailed(ana, "a1", "session_start", null, T0),
        detailed(ana, "a2", "track", "chat.send", T0 + MINUTE),
        detailed(ana, "a3", "track", "chat.send", T0 + 2 * MINUTE),
        UsageWorld.event(ana, "a4", "screen", "wallet", T0 + 3 * MINUTE),
        detailed(ana, "a5", "session_end", null, T0 + 4 * MINUTE),
        detailed(ana, "a6", "track", "chat.send", T0 + DAY + 9 * 60 * MINUTE));
  }

  private static JsonNode category(JsonNode report, String id) {
    for (JsonNode c : report.get("categories")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no category " + id + " in " + report);
  }

  private static Map<String, JsonNode> items(JsonNode category) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    category.get("items").forEach(i -> out.put(i.get("field").asText(), i));
    return out;
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  private String phoneOf(UsageWorld w, String id) {
    Http.Response me = w.http.get("/v1/users/" + id, w.chat, "Candor-Purpose", "account");
    assertThat(me.status()).as("%s", me).isEqualTo(200);
    return me.json().get("phone").asText();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void usage_is_in_the_report_and_the_export_and_gone_after_erasure(String kind)
      throws IOException {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      String ana = w.person(true);
      String bea = w.person(true);
      String cid = w.person(false);
      // Ana's events interleaved with copies for Bea in one batch: each detail must be encrypted
      // under its own person's key and stay with its own event.
      List<ObjectNode> mixed = new ArrayList<>();
      for (ObjectNode e : anasEvents(ana)) {
        mixed.add(e);
        mixed.add(
            e.deepCopy().put("userId", bea).put("messageId", "b-" + e.get("messageId").asText()));
      }
      w.send(mixed);
      w.send(
          List.of(
              UsageWorld.event(bea, "b1", "track", "maps", T0 + 5 * MINUTE),
              UsageWorld.event(cid, "c1", "track", "maps", T0 + 5 * MINUTE)));
      String token = w.server.signIn("sms", phoneOf(w, ana));

      // 1. The report, to the person and to an admin.
      for (String caller : List.of(token, TestServer.ADMIN_TOKEN)) {
        Http.Response data = w.http.get("/v1/users/" + ana + "/data", caller);
        assertThat(data.status()).as("%s", data).isEqualTo(200);
        Map<String, JsonNode> usage = items(category(data.json(), "usage"));
        assertThat(usage).containsOnlyKeys("events", "eventDetails", "sessions", "dailyActivity");
        JsonNode events = usage.get("events");
        assertThat(events.get("count").asLong()).isEqualTo(6);
        assertThat(Instant.parse(events.get("firstCollected").asText()))
            .isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(Instant.parse(events.get("lastCollected").asText()))
            .isEqualTo(Instant.ofEpochMilli(T0 + DAY + 9 * 60 * MINUTE));
        assertThat(events.get("description").asText()).isNotBlank();
        assertThat(events.get("retention").asText())
            .startsWith("395 days after the day it happened");
        assertThat(events.get("purposes")).extracting(JsonNode::asText).contains("analytics");
        JsonNode details = usage.get("eventDetails");
        assertThat(details.get("count").asLong()).isEqualTo(5);
        assertThat(details.get("encrypted").asBoolean()).isTrue();
        assertThat(usage.get("sessions").get("count").asLong()).isEqualTo(2);
        JsonNode activity = usage.get("dailyActivity").get("value");
        assertThat(activity.get("activeDays").asLong()).isEqualTo(2);
        JsonNode top = activity.get("topFeatures");
        assertThat(top.get(0).get("feature").asText()).isEqualTo("chat.send");
        assertThat(top.get(0).get("uses").asLong()).isEqualTo(3);
        assertThat(top.get(1).get("feature").asText()).isEqualTo("wallet");
        assertThat(top.get(1).get("uses").asLong()).isEqualTo(1);
        assertThat(top).hasSize(2);
        // What the person sent is in no report in the clear: only counts and feature names.
        for (String secret : SECRETS) {
          assertThat(data.text()).doesNotContain(secret);
        }
      }
      Http.Response cids = w.http.get("/v1/users/" + cid + "/data", TestServer.ADMIN_TOKEN);
      assertThat(items(category(cids.json(), "usage"))).isEmpty();

      // 2. The export: every event with its details decrypted, every session.
      Http.Response export = w.http.get("/v1/users/" + ana + "/export", token);
      assertThat(export.status()).as("%s", export).isEqualTo(200);
      assertThat(export.header("Content-Type")).startsWith("application/zip");
      Map<String, byte[]> files = unzip(export.body());
      assertThat(files)
          .containsKeys(
              "usage.json",
              "usage-events.csv",
              "usage-events.json",
              "usage-sessions.csv",
              "usage-sessions.json",
              "README.txt");
      JsonNode rows = Json.mapper().readTree(files.get("usage-events.json"));
      assertThat(rows).hasSize(6);
      List<String> ids = new ArrayList<>();
      for (JsonNode row : rows) {
        ids.add(row.get("messageId").asText());
        assertThat(row.get("service").asText()).isEqualTo("app-events");
      }
      assertThat(ids).containsExactly("a1", "a2", "a3", "a4", "a5", "a6");
      for (int i = 0; i < 6; i++) {
        ObjectNode sent = anasEvents(ana).get(i);
        JsonNode row = rows.get(i);
        assertThat(Instant.parse(row.get("at").asText()))
            .isEqualTo(Instant.parse(sent.get("timestamp").asText()));
        assertThat(row.get("type").asText()).isEqualTo(sent.get("type").asText());
        if (sent.has("properties")) {
          JsonNode detail = Json.mapper().readTree(row.get("details").asText());
          assertThat(detail.get("properties")).isEqualTo(sent.get("properties"));
          assertThat(detail.get("context")).isEqualTo(sent.get("context"));
        } else {
          assertThat(row.get("details").asText()).isEmpty();
        }
      }
      String csv = new String(files.get("usage-events.csv"), StandardCharsets.UTF_8);
      assertThat(csv.lines().count()).isEqualTo(7);
      assertThat(csv.lines().findFirst().orElseThrow()).contains("messageId").contains("details");
      for (String secret : SECRETS) {
        assertThat(csv).contains(secret);
      }
      JsonNode sessions = Json.mapper().readTree(files.get("usage-sessions.json"));
      assertThat(sessions).hasSize(2);
      assertThat(sessions.get(0).get("kind").asText()).isEqualTo("explicit");
      assertThat(sessions.get(0).get("events").asText()).isEqualTo("5");
      assertThat(sessions.get(0).get("seconds").asText()).isEqualTo("240");
      assertThat(sessions.get(1).get("kind").asText()).isEqualTo("inferred");
      assertThat(new String(files.get("usage-sessions.csv"), StandardCharsets.UTF_8).lines())
          .hasSize(3);
      assertThat(new String(files.get("README.txt"), StandardCharsets.UTF_8))
          .contains("usage-events.csv")
          .contains("eventDetails");
      // Nothing of Bea's.
      for (byte[] f : files.values()) {
        assertThat(new String(f, StandardCharsets.UTF_8)).doesNotContain(bea);
      }
      // Bea's copies, sent between Ana's events, decrypt under Bea's key with the same details.
      Http.Response beas = w.http.get("/v1/users/" + bea + "/export", TestServer.ADMIN_TOKEN);
      assertThat(beas.status()).as("%s", beas).isEqualTo(200);
      JsonNode beaRows = Json.mapper().readTree(unzip(beas.body()).get("usage-events.json"));
      assertThat(beaRows).hasSize(7);
      for (JsonNode row : beaRows) {
        String id = row.get("messageId").asText();
        if (!id.startsWith("b-")) {
          continue;
        }
        ObjectNode sent = anasEvents(ana).get(ids.indexOf(id.substring(2)));
        assertThat(row.get("details").asText().isEmpty()).isEqualTo(!sent.has("properties"));
        if (sent.has("properties")) {
          assertThat(Json.mapper().readTree(row.get("details").asText()).get("properties"))
              .isEqualTo(sent.get("properties"));
        }
      }

      // 3. Erasure: no usage row of Ana is left, Bea's are untouched.
      Http.Response erased = w.http.delete("/v1/users/" + ana, token);
      assertThat(erased.status()).as("%s", erased).isEqualTo(200);
      assertThat(erased.json().get("erased").get("usage").asInt()).isGreaterThanOrEqualTo(6);
      for (String table : List.of("usage_events", "usage_sessions", "usage_person_days")) {
        assertThat(w.count("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?", ana))
            .as("%s rows of the erased person", table)
            .isZero();
        assertThat(w.count("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?", bea))
            .as("%s rows of another person", table)
            .isPositive();
      }
      assertThat(w.http.get("/v1/users/" + ana + "/export", TestServer.ADMIN_TOKEN).status())
          .isEqualTo(404);
      UsageBruteForce.defaults()
          .assertConsistent(w.db(), "after the erasure", new java.util.Random(1), 50);
    }
  }

  @org.junit.jupiter.api.Test
  void event_details_are_never_on_disk_in_the_clear_and_nothing_of_an_erased_person_remains()
      throws IOException {
    try (UsageWorld w = new UsageWorld(TestDatabases.SQLITE, dir, NOW)) {
      String ana = w.person(true);
      String bea = w.person(true);
      w.send(anasEvents(ana));
      List<ObjectNode> beas = new ArrayList<>();
      for (ObjectNode e : anasEvents(bea)) {
        beas.add(e.put("userId", bea).put("messageId", "b-" + e.get("messageId").asText()));
      }
      w.send(beas);

      for (Path file : dbFiles()) {
        byte[] bytes = Files.readAllBytes(file);
        for (String secret : SECRETS) {
          assertThat(contains(bytes, secret))
              .as("%s in the clear in %s", secret, file.getFileName())
              .isFalse();
        }
      }

      // Ana's stored ciphertexts, to look for after her erasure.
      List<byte[]> ciphertexts =
          w.db()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT detail_ct FROM usage_events WHERE subject_id = :s"
                                  + " AND detail_ct IS NOT NULL")
                          .bind("s", ana)
                          .mapTo(byte[].class)
                          .list());
      assertThat(ciphertexts).hasSize(5);
      assertThat(anyFileContains(ciphertexts.get(0))).isTrue();

      w.erase(ana);
      for (Path file : dbFiles()) {
        byte[] bytes = Files.readAllBytes(file);
        for (byte[] ct : ciphertexts) {
          assertThat(contains(bytes, ct))
              .as("a ciphertext of the erased person in %s", file.getFileName())
              .isFalse();
        }
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_transparency_page_shows_the_usage_category_with_live_counts(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> people = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        people.add(w.person(true));
      }
      w.person(false);
      JsonNode before = usageOf(w.http.get("/v1/transparency", null));
      assertThat(before.get("usersWithData").asText()).isEqualTo("fewer than 10");
      assertThat(before.get("fields"))
          .extracting(f -> f.get("name").asText())
          .containsExactlyInAnyOrder("events", "eventDetails", "sessions", "dailyActivity");
      for (JsonNode f : before.get("fields")) {
        assertThat(f.get("description").asText()).isNotBlank();
        assertThat(f.get("retention").asText()).startsWith("395 days after the day it happened");
        assertThat(f.get("encrypted").asBoolean())
            .isEqualTo(f.get("name").asText().equals("eventDetails"));
      }
      assertThat(before.get("purposes")).extracting(JsonNode::asText).contains("analytics");
      assertThat(before.get("optional").asBoolean()).isTrue();
      assertThat(before.get("encrypted").asBoolean()).isTrue();

      List<ObjectNode> batch = new ArrayList<>();
      for (String p : people) {
        batch.add(UsageWorld.event(p, "e", "track", "chat.send", T0));
      }
      w.send(batch);
      // Counted every minute in the background; here at once.
      w.server.candor().transparency().refresh();
      assertThat(usageOf(w.http.get("/v1/transparency", null)).get("usersWithData").asLong())
          .isEqualTo(11);
      w.erase(people.get(0));
      w.server.candor().transparency().refresh();
      assertThat(usageOf(w.http.get("/v1/transparency", null)).get("usersWithData").asLong())
          .isEqualTo(10);
      Http.Response page = w.http.get("/transparency", null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.text()).contains("dailyActivity").contains("eventDetails");
    }
  }

  private static JsonNode usageOf(Http.Response transparency) {
    assertThat(transparency.status()).as("%s", transparency).isEqualTo(200);
    return category(transparency.json(), "usage");
  }

  private List<Path> dbFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile).forEach(files::add);
    }
    assertThat(files)
        .anySatisfy(f -> assertThat(f.getFileName().toString()).isEqualTo("candor.db"));
    return files;
  }

  private boolean anyFileContains(byte[] value) throws IOException {
    for (Path file : dbFiles()) {
      if (contains(Files.readAllBytes(file), value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(byte[] haystack, String needle) {
    return contains(haystack, needle.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean contains(byte[] haystack, byte[] n) {
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
