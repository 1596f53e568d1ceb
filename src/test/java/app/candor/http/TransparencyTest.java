package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transparency page tells the truth cheaply: the retention periods in force, counts taken in
 * the background (and when), and no table read by a public request.
 */
class TransparencyTest {

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void retention_periods_set_by_the_operator_are_stated_on_the_page_the_report_and_the_export(
      String kind) throws IOException {
    Config config =
        TestDatabases.config(kind, dir)
            .withUsage(
                new Config.Usage(
                    400,
                    Config.Usage.DEFAULT.sessionGapMinutes(),
                    Config.Usage.DEFAULT.sessionMaxHours(),
                    Config.Usage.DEFAULT.dedupeDays()))
            .withLocation(
                new Config.Location(
                    45,
                    Config.Location.DEFAULT.recentMinutes(),
                    Config.Location.DEFAULT.nearbyPerMinute()));
    try (TestServer server = TestServer.of(Candor.open(config))) {
      Http http = server.http();
      String app = server.service("app", "account", "analytics", "location");
      String id = server.person(app);
      consent(http, app, id, "analytics", "{\"granted\":true}");
      consent(http, app, id, "location", "{\"granted\":true,\"level\":\"precise\"}");
      Instant now = Instant.now();
      Http.Response sent =
          http.post(
              "/v1/events",
              app,
              "{\"batch\":[{\"messageId\":\"m1\",\"userId\":\""
                  + id
                  + "\",\"type\":\"track\",\"name\":\"chat.send\",\"timestamp\":\""
                  + now.minusSeconds(60)
                  + "\"}]}");
      assertThat(sent.status()).as("%s", sent).isEqualTo(200);
      assertThat(sent.json().get("accepted").asInt()).isEqualTo(1);
      Http.Response moved =
          http.post(
              "/v1/users/" + id + "/locations",
              app,
              String.format(
                  Locale.ROOT,
                  "{\"lat\":48.8566,\"lon\":2.3522,\"accuracyM\":12,\"timestamp\":\"%s\"}",
                  now));
      assertThat(moved.status()).as("%s", moved).isEqualTo(202);

      String usage = "400 days after the day it happened, then deleted";
      String location = "45 days, then deleted";

      JsonNode page = http.get("/v1/transparency", null).json();
      assertThat(category(page, "usage").get("retention").asText()).startsWith(usage);
      assertThat(category(page, "location").get("retention").asText()).startsWith(location);
      for (JsonNode f : category(page, "usage").get("fields")) {
        assertThat(f.get("retention").asText()).as("usage.%s", f.get("name")).startsWith(usage);
      }
      for (JsonNode f : category(page, "location").get("fields")) {
        assertThat(f.get("retention").asText())
            .as("location.%s", f.get("name"))
            .startsWith(location);
      }
      assertThat(page.toString()).doesNotContain("13 months").doesNotContain("30 days");
      assertThat(http.get("/transparency", null).text())
          .contains(usage)
          .contains(location)
          .doesNotContain("13 months");

      JsonNode report = http.get("/v1/users/" + id + "/data", TestServer.ADMIN_TOKEN).json();
      List<String> kept = new ArrayList<>();
      for (String c : List.of("usage", "location")) {
        for (JsonNode item : category(report, c).get("items")) {
          kept.add(c + "." + item.get("field").asText() + ": " + item.get("retention").asText());
        }
      }
      assertThat(kept)
          .anySatisfy(k -> assertThat(k).startsWith("usage.events: " + usage))
          .anySatisfy(k -> assertThat(k).startsWith("location.history: " + location))
          .allSatisfy(k -> assertThat(k).containsAnyOf(usage, location));

      Http.Response export = http.get("/v1/users/" + id + "/export", TestServer.ADMIN_TOKEN);
      assertThat(export.status()).isEqualTo(200);
      String readme = readme(export.body());
      assertThat(readme)
          .contains("Kept: " + usage)
          .contains("Kept: " + location)
          .doesNotContain("13 months")
          .doesNotContain("30 days");
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void public_requests_read_no_table(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Set<String> threads = ConcurrentHashMap.newKeySet();
      try (Handle h = server.candor().database().open()) {
        // Handles opened from now on log every statement with the thread that ran it.
        h.getJdbi()
            .setSqlLogger(
                new SqlLogger() {
                  @Override
                  public void logBeforeExecution(StatementContext context) {
                    threads.add(Thread.currentThread().getName());
                  }
                });
      }
      Http http = server.http();
      // The hook sees what requests run: readiness asks the database on a request thread.
      assertThat(http.get("/health/ready", null).status()).isEqualTo(200);
      assertThat(threads).as("threads that ran SQL for /health/ready").isNotEmpty();
      Set<String> requestPools = new java.util.HashSet<>();
      // Candor's own background threads (candor-housekeeping, the writers) may run SQL at any
      // time, the start-up clean-up included: only the pools that serve requests count.
      threads.stream()
          .filter(t -> !t.startsWith("candor-"))
          .forEach(t -> requestPools.add(pool(t)));
      assertThat(requestPools).as("request pools that ran SQL for /health/ready").isNotEmpty();

      threads.clear();
      for (int i = 0; i < 50; i++) {
        assertThat(http.get("/v1/transparency", null).status()).isEqualTo(200);
        assertThat(http.get("/transparency", null).status()).isEqualTo(200);
      }
      assertThat(threads)
          .as("threads of the request pools %s that ran SQL", requestPools)
          .noneMatch(t -> requestPools.contains(pool(t)));
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_counts_stay_as_taken_until_the_next_count_and_the_page_says_when_they_were_taken(
      String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      JsonNode before = http.get("/v1/transparency", null).json();
      // Counted at start, so the first request has counts.
      Instant countedAt = Instant.parse(before.get("countsAt").asText());
      assertThat(category(before, "personal").get("usersWithData").asText())
          .isEqualTo("fewer than 10");

      String key = server.service("chat", "account");
      for (int i = 0; i < 12; i++) {
        server.person(key);
      }
      JsonNode unchanged = http.get("/v1/transparency", null).json();
      // Unless the minute's count ran meanwhile, the answer is the one counted before the rows.
      if (unchanged.get("countsAt").asText().equals(before.get("countsAt").asText())) {
        assertThat(unchanged).isEqualTo(before);
      }

      server.candor().transparency().refresh();
      JsonNode after = http.get("/v1/transparency", null).json();
      Instant recountedAt = Instant.parse(after.get("countsAt").asText());
      assertThat(recountedAt).isAfter(countedAt);
      assertThat(category(after, "personal").get("usersWithData").asLong()).isEqualTo(12);

      String html = http.get("/transparency", null).text();
      assertThat(html)
          .contains("Numbers of people counted at <time datetime=\"" + recountedAt + "\">")
          .contains("counted again every minute")
          .contains("People with this data: 12");
    }
  }

  private static void consent(Http http, String key, String id, String purpose, String body) {
    Http.Response r = http.put("/v1/users/" + id + "/consents/" + purpose, key, body);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  /** The pool a thread belongs to: its name without the trailing number. */
  private static String pool(String thread) {
    return thread.replaceAll("[-_]?\\d+$", "");
  }

  private static JsonNode category(JsonNode doc, String id) {
    for (JsonNode c : doc.get("categories")) {
      if (c.get("id").asText().equals(id)) {
        return c;
      }
    }
    throw new AssertionError("no category " + id + " in " + doc);
  }

  private static String readme(byte[] zip) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals("README.txt")) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError("no README.txt in the export");
  }
}
