package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Position updates go through the group commit and are answered only once durable: after {@code
 * kill -9} in the middle of a stream of updates (one person's and many people's at once), every
 * update that was acknowledged is stored, and none is stored twice.
 */
class LocationDurabilityTest {

  @TempDir Path dataDir;
  @TempDir Path logDir;

  @Test
  @Timeout(120)
  void every_acknowledged_update_survives_kill_minus_nine_and_none_is_stored_twice()
      throws Exception {
    int port = ChildServer.freePort();
    Path log = logDir.resolve("server.log");
    Process server = ChildServer.start(dataDir, port, log);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong sent = new AtomicLong();
    try {
      Http http = new Http("http://localhost:" + port);
      ChildServer.awaitReady(server, http, log);
      String key =
          http.post(
                  "/v1/services",
                  TestServer.ADMIN_TOKEN,
                  "{\"name\":\"maps\",\"purposes\":[\"account\",\"location\"]}")
              .json()
              .get("apiKey")
              .asText();
      List<String> people = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Http.Response created =
            http.post(
                "/v1/users",
                key,
                "{\"name\":\"Mover "
                    + (char) ('A' + i)
                    + "\",\"phone\":\"+49151990002"
                    + (10 + i)
                    + "\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String id = created.json().get("id").asText();
        String level = i % 2 == 0 ? "precise" : "approximate";
        Http.Response consent =
            http.put(
                "/v1/users/" + id + "/consents/location",
                key,
                "{\"granted\":true,\"level\":\"" + level + "\"}");
        assertThat(consent.status()).as("%s", consent).isEqualTo(200);
        people.add(id);
      }

      // Each update has its own time, so (person, time) names it.
      long base = Instant.now().minusSeconds(3_600).toEpochMilli();
      AtomicLong clock = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean many = t % 2 == 1;
        Thread sender =
            new Thread(
                () -> {
                  Http client = new Http("http://localhost:" + port);
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (!stop.get()) {
                    try {
                      if (many) {
                        Map<String, Long> batch = new HashMap<>();
                        List<String> items = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                          String id = people.get(random.nextInt(people.size()));
                          long at = base + clock.incrementAndGet();
                          items.add(
                              String.format(
                                  Locale.ROOT,
                                  "{\"userId\":\"%s\",\"lat\":%.6f,\"lon\":2.35,"
                                      + "\"timestamp\":\"%s\"}",
                                  id,
                                  48.85 + random.nextDouble() * 0.001,
                                  Instant.ofEpochMilli(at)));
                          batch.put(id + "@" + at, at);
                        }
                        sent.addAndGet(items.size());
                        Http.Response r =
                            client.post(
                                "/v1/locations",
                                key,
                                "{\"batch\":[" + String.join(",", items) + "]}");
                        if (r.status() == 200) {
                          assertThat(r.json().get("stored").asInt()).isEqualTo(10);
                          acknowledged.addAll(batch.keySet());
                        }
                      } else {
                        String id = people.get(random.nextInt(people.size()));
                        long at = base + clock.incrementAndGet();
                        sent.incrementAndGet();
                        Http.Response r =
                            client.post(
                                "/v1/users/" + id + "/locations",
                                key,
                                String.format(
                                    Locale.ROOT,
                                    "{\"lat\":%.6f,\"lon\":2.35,\"timestamp\":\"%s\"}",
                                    48.85 + random.nextDouble() * 0.001,
                                    Instant.ofEpochMilli(at)));
                        if (r.status() == 202) {
                          acknowledged.add(id + "@" + at);
                        }
                      }
                    } catch (RuntimeException e) {
                      return; // the server is gone
                    }
                  }
                });
        senders.add(sender);
        sender.start();
      }
      // Kill once a good number of updates are acknowledged, with more in flight.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < 400 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      server.destroyForcibly();
      assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      for (Thread s : senders) {
        s.join(10_000);
      }
    } finally {
      server.destroyForcibly();
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(400);

    Map<String, Integer> stored = new HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("candor.db"));
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT subject_id, at, COUNT(*) FROM (SELECT * FROM location_points UNION ALL SELECT * FROM location_log) p GROUP BY subject_id, at")) {
      while (rs.next()) {
        stored.put(rs.getString(1) + "@" + rs.getLong(2), rs.getInt(3));
      }
    }
    assertThat(stored.keySet())
        .as("every acknowledged update is stored (%d sent)", sent.get())
        .containsAll(acknowledged);
    assertThat(stored.values()).as("no update is stored twice").allMatch(n -> n == 1);
  }
}
