package app.candor.http;

import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.SecondNode;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two server processes on one database write to one conversation at once: every message is stored
 * once however many copies of it reach the two nodes, the messages are numbered without gaps or
 * repeats, both nodes read the same conversation, and a direct conversation asked for on both nodes
 * at once exists once.
 */
class TwoNodeMessagesTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(240)
  void two_nodes_store_each_message_once_in_one_order(String kind) throws Exception {
    Config config = TestDatabases.config(kind, dir.resolve("node1"));
    try (TestServer one = TestServer.of(Candor.withOutbox(config));
        SecondNode node2 = SecondNode.start(config, dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        Http two = node2.http();
        String account = one.service("accounts", "account");
        String chat = one.service("chat", "messaging");
        String ana = one.person(account);
        String bo = one.person(account);

        // The same direct conversation asked of both nodes at once: one conversation.
        String direct = json(Map.of("type", "direct", "members", List.of(ana, bo)));
        List<Future<Http.Response>> created = new ArrayList<>();
        for (Http node : List.of(one.http(), two, one.http(), two)) {
          created.add(pool.submit(() -> node.post("/v1/conversations", chat, direct)));
        }
        Set<String> ids = new HashSet<>();
        for (Future<Http.Response> f : created) {
          Http.Response r = f.get();
          assertThat(r.status()).as("%s", r).isIn(200, 201);
          ids.add(r.json().get("id").asText());
        }
        assertThat(ids).hasSize(1);
        String conversation = "/v1/conversations/" + ids.iterator().next() + "/messages";

        // 40 messages, each sent to both nodes at once, as a client retrying on another node.
        List<Future<Http.Response>> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String body =
              json(
                  Map.of(
                      "from",
                      i % 2 == 0 ? ana : bo,
                      "clientMessageId",
                      "race-" + i,
                      "kind",
                      "text",
                      "text",
                      "race " + i));
          for (Http node : List.of(one.http(), two)) {
            sent.add(pool.submit(() -> node.post(conversation, chat, body)));
          }
        }
        Set<String> messageIds = new HashSet<>();
        for (int i = 0; i < sent.size(); i += 2) {
          Http.Response a = sent.get(i).get();
          Http.Response b = sent.get(i + 1).get();
          assertThat(a.status()).as("%s", a).isEqualTo(201);
          assertThat(b.status()).as("%s", b).isEqualTo(201);
          assertThat(a.json().get("id"))
              .as("both copies answer one message")
              .isEqualTo(b.json().get("id"));
          messageIds.add(a.json().get("id").asText());
        }
        assertThat(messageIds).hasSize(40);
        List<Long> seqs =
            one.candor()
                .database()
                .<List<Long>, RuntimeException>withHandle(
                    h ->
                        h.createQuery("SELECT seq FROM messages ORDER BY seq")
                            .mapTo(Long.class)
                            .list());
        List<Long> expected = new ArrayList<>();
        for (long n = 1; n <= 40; n++) {
          expected.add(n);
        }
        assertThat(seqs).isEqualTo(expected);

        // Both nodes show the same conversation, page by page.
        List<String> fromOne = texts(one.http(), conversation, ana, chat);
        List<String> fromTwo = texts(two, conversation, ana, chat);
        assertThat(fromOne).hasSize(40).isEqualTo(fromTwo);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static List<String> texts(Http node, String conversation, String member, String key) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    do {
      Http.Response page =
          node.get(
              conversation
                  + "?userId="
                  + member
                  + "&limit=15"
                  + (cursor == null ? "" : "&cursor=" + cursor),
              key);
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      for (JsonNode m : page.json().get("messages")) {
        out.add(m.get("text").asText());
      }
      cursor =
          page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
    } while (cursor != null);
    return out;
  }
}
