package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 means committed: the server (a separate JVM on the embedded database) is killed with {@code
 * kill -9} at random moments while four clients send batches, and restarted on the same data, a few
 * times; clients retry what got no answer. At the end every event that was acknowledged is stored
 * exactly once, nothing is stored that was not sent, and the rollups agree with the events.
 */
class IngestionCrashTest {
  private static final int ROUNDS = 4;
  private static final int CLIENTS = 4;
  private static final int BATCH = 100;

  @TempDir Path dataDir;
  @TempDir Path logDir;

  /** A batch as sent: its events and their keys. */
  private record Batch(List<ObjectNode> events, List<String> keys) {}

  @Test
  @Timeout(120)
  void every_acknowledged_event_survives_kill_minus_nine_exactly_once() throws Exception {
    Random random = new Random(99);
    Set<String> sent = ConcurrentHashMap.newKeySet();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    // Batches that got no answer: the clients send them again after the restart.
    List<Batch> unanswered = new CopyOnWriteArrayList<>();
    List<String> people = new ArrayList<>();
    String eventsKey = null;
    long acknowledgedBatches = 0;
    int interrupted = 0;

    for (int round = 0; round < ROUNDS; round++) {
      int port = ChildServer.freePort();
      Path log = logDir.resolve("server-" + round + ".log");
      Process server = start(port, log);
      try {
        Http http = new Http("http://localhost:" + port);
        ChildServer.awaitReady(server, http, log);
        if (round == 0) {
          eventsKey = service(http, "app-events", "analytics");
          String chat = service(http, "chat", "account");
          for (int i = 0; i < 20; i++) {
            people.add(person(http, chat, i));
          }
        }
        String key = eventsKey;
        AtomicBoolean killed = new AtomicBoolean();
        List<Batch> retry = new ArrayList<>(unanswered);
        unanswered.clear();
        Collections.shuffle(retry, random);
        List<Thread> clients = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Long> answered = new CopyOnWriteArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          String prefix = "r" + round + "-c" + c + "-";
          Random mine = new Random(random.nextLong());
          Thread t =
              new Thread(
                  () -> {
                    long ok = 0;
                    try {
                      for (int n = 0; !killed.get(); n++) {
                        Batch batch;
                        synchronized (retry) {
                          batch = retry.isEmpty() ? null : retry.remove(retry.size() - 1);
                        }
                        if (batch == null) {
                          batch = batch(people, prefix + n, mine);
                        }
                        batch.keys().forEach(sent::add);
                        Http.Response resp;
                        try {
                          resp = http.post("/v1/events", key, body(batch));
                        } catch (RuntimeException e) {
                          // The server died under the request: stored or not? Send it again.
                          unanswered.add(batch);
                          continue;
                        }
                        if (resp.status() == 200) {
                          JsonNode o = resp.json();
                          assertThat(o.get("accepted").asInt() + o.get("duplicates").asInt())
                              .as("%s", resp)
                              .isEqualTo(BATCH);
                          acknowledged.addAll(batch.keys());
                          ok++;
                        } else {
                          assertThat(resp.status()).as("%s", resp).isEqualTo(503);
                          unanswered.add(batch);
                        }
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                    answered.add(ok);
                  },
                  "crash-client-" + c);
          clients.add(t);
          t.start();
        }
        // Let them send for a random while, then pull the plug.
        Thread.sleep(300 + random.nextInt(1200));
        server.destroyForcibly();
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        killed.set(true);
        for (Thread t : clients) {
          t.join(40_000);
          assertThat(t.isAlive()).isFalse();
        }
        assertThat(failures).isEmpty();
        acknowledgedBatches += answered.stream().mapToLong(Long::longValue).sum();
        if (!unanswered.isEmpty()) {
          interrupted++;
        }
        unanswered.addAll(retry);
      } finally {
        server.destroyForcibly();
        server.waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledgedBatches).as("batches acknowledged in all rounds").isPositive();
    assertThat(interrupted).as("rounds where the kill cut requests off").isPositive();
    assertThat(acknowledged).isNotEmpty();

    Config config = Config.forDataDir(dataDir).withAdminToken(Optional.of(TestServer.ADMIN_TOKEN));
    try (Candor candor = Candor.open(config)) {
      // At start the writer rolls up what was stored but not rolled up when killed.
      candor.usage().catchUp();
      List<String> stored =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT subject_id, message_id FROM usage_events")
                          .map((rs, ctx) -> rs.getString(1) + "/" + rs.getString(2))
                          .list());
      Set<String> distinct = new HashSet<>(stored);
      assertThat(distinct).as("no event stored twice").hasSameSizeAs(stored);
      Set<String> lost = new HashSet<>(acknowledged);
      lost.removeAll(distinct);
      assertThat(lost).as("acknowledged events missing after kill -9").isEmpty();
      Set<String> unknown = new HashSet<>(distinct);
      unknown.removeAll(sent);
      assertThat(unknown).as("stored events nobody sent").isEmpty();
      // The rollups were committed with the events, never without them.
      UsageBruteForce.defaults()
          .assertConsistent(candor.database(), "after the crashes", new Random(1), 100);
    }
  }

  private static String body(Batch batch) {
    return UsageWorld.text(
        UsageWorld.NODES
            .objectNode()
            .set("batch", UsageWorld.NODES.arrayNode().addAll(batch.events())));
  }

  private static Batch batch(List<String> people, String prefix, Random random) {
    List<ObjectNode> events = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    long now = System.currentTimeMillis();
    String[] features = {"chat.send", "chat.open", "pay", "maps", "moments"};
    for (int i = 0; i < BATCH; i++) {
      String person = people.get(random.nextInt(people.size()));
      String id = prefix + "-" + i;
      int roll = random.nextInt(20);
      String type = roll == 0 ? "session_start" : roll == 1 ? "session_end" : "track";
      ObjectNode e =
          UsageWorld.event(
              person,
              id,
              type,
              type.equals("track") ? features[random.nextInt(features.length)] : null,
              now - random.nextInt(600_000));
      e.set("properties", UsageWorld.NODES.objectNode().put("n", i));
      events.add(e);
      keys.add(person + "/" + id);
    }
    return new Batch(events, keys);
  }

  private static String service(Http http, String name, String purpose) {
    Http.Response r =
        http.post(
            "/v1/services",
            TestServer.ADMIN_TOKEN,
            "{\"name\":\"" + name + "\",\"purposes\":[\"" + purpose + "\"]}");
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return r.json().get("apiKey").asText();
  }

  private static String person(Http http, String key, int n) {
    Http.Response r =
        http.post(
            "/v1/users",
            key,
            String.format(
                "{\"name\":\"Crash Test %d\",\"phone\":\"+49151777%05d\","
                    + "\"email\":\"crash%d@example.org\"}",
                n, n, n));
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    String id = r.json().get("id").asText();
    Http.Response consent =
        http.put("/v1/users/" + id + "/consents/analytics", key, "{\"granted\":true}");
    assertThat(consent.status()).as("%s", consent).isEqualTo(200);
    return id;
  }

  private Process start(int port, Path log) throws IOException {
    return ChildServer.start(dataDir, port, log);
  }
}
