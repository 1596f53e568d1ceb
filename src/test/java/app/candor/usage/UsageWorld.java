package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A real server on a hand-moved clock, with a service that sends events ({@code analytics}) and one
 * that creates people and relays their consent ({@code account}).
 */
final class UsageWorld implements AutoCloseable {

  /** A stored-shape track event of {@code subject} (what the writer is handed after parsing). */
  static UsageEvent track(String subject, String messageId, long at) {
    return new UsageEvent(subject, messageId, "track", "chat.send", at, "app-events", null);
  }

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  final TestClock clock;
  final TestServer server;
  final Http http;
  final String events;
  final String chat;

  UsageWorld(String kind, Path dir, Instant now) {
    this(TestDatabases.config(kind, dir), now);
  }

  UsageWorld(Config config, Instant now) {
    this.clock = new TestClock(now);
    this.server = TestServer.of(Candor.withOutbox(config, clock));
    this.http = server.http();
    this.events = server.service("app-events", "analytics");
    this.chat = server.service("chat", "account", "messaging");
  }

  Candor candor() {
    return server.candor();
  }

  /** The database, once the rollups count every acknowledged event (the writer lags ~1 s). */
  Database db() {
    server.candor().usage().catchUp();
    return server.candor().database();
  }

  /** A new person, with analytics consent when {@code consenting}. */
  String person(boolean consenting) {
    String id = server.person(chat);
    if (consenting) {
      consent(id, true);
    }
    return id;
  }

  void consent(String id, boolean granted) {
    Http.Response r =
        http.put("/v1/users/" + id + "/consents/analytics", chat, "{\"granted\":" + granted + "}");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  void erase(String id) {
    Http.Response r = http.delete("/v1/users/" + id, TestServer.ADMIN_TOKEN);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  static ObjectNode event(
      String userId, String messageId, String type, @Nullable String name, long at) {
    ObjectNode e = NODES.objectNode();
    e.put("messageId", messageId);
    e.put("userId", userId);
    e.put("type", type);
    if (name != null) {
      e.put("name", name);
    }
    e.put("timestamp", Instant.ofEpochMilli(at).toString());
    return e;
  }

  /** Sends one batch; expects a 200 with nothing rejected; returns the outcome. */
  JsonNode send(List<? extends JsonNode> batch) {
    ArrayNode array = NODES.arrayNode();
    batch.forEach(array::add);
    Http.Response r = http.post("/v1/events", events, text(NODES.objectNode().set("batch", array)));
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    JsonNode outcome = r.json();
    assertThat(outcome.get("rejected")).as("rejections in %s", r).isEmpty();
    assertThat(
            outcome.get("accepted").asInt()
                + outcome.get("duplicates").asInt()
                + outcome.get("droppedNoConsent").asInt())
        .isEqualTo(batch.size());
    return outcome;
  }

  static String text(JsonNode node) {
    try {
      return Json.mapper()
          .writer()
          .with(JsonWriteFeature.ESCAPE_NON_ASCII)
          .writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  long count(String sql, Object... binds) {
    return count(db(), sql, binds);
  }

  /** The same without waiting for the writer's roll-up (when a test holds the writer). */
  long countNow(String sql, Object... binds) {
    return count(server.candor().database(), sql, binds);
  }

  private static long count(Database db, String sql, Object... binds) {
    return db.withHandle(
        h -> {
          var q = h.createQuery(sql);
          for (int i = 0; i < binds.length; i++) {
            q.bind(i, binds[i]);
          }
          return q.mapTo(Long.class).one();
        });
  }

  @Override
  public void close() {
    server.close();
  }
}
