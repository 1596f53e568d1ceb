package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.AtRest;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conversations, messages, reports and calls over HTTP on both databases: members only, each retry
 * stored once, newest first with paging, spam held from the other members, bad input refused with
 * nothing written, and an erased author's messages shredded while the others' stay.
 */
class CommunicationApiTest {

  static final String SPAM =
      "CONGRATULATIONS!!! You have been selected to receive a FREE $1000 gift card. Click here"
          + " http://claim-prize.example.com now to claim your prize before it expires!!!";

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server, a chat service with messaging and safety, and three people. */
  record World(TestServer server, Http http, String chat, String ana, String bo, String cy)
      implements AutoCloseable {
    static World start(String kind, Path dir) {
      TestServer server = TestServer.start(kind, dir);
      String account = server.service("accounts", "account");
      return new World(
          server,
          server.http(),
          server.service("chat", "messaging", "safety"),
          server.person(account),
          server.person(account),
          server.person(account));
    }

    String group(String... members) {
      Http.Response r =
          http.post(
              "/v1/conversations",
              chat,
              json(Map.of("type", "group", "members", List.of(members), "title", "Climbing")));
      assertThat(r.status()).as("%s", r).isEqualTo(201);
      return r.json().get("id").asText();
    }

    Http.Response send(String conversation, String from, String clientId, String text) {
      return http.post(
          "/v1/conversations/" + conversation + "/messages",
          chat,
          json(Map.of("from", from, "clientMessageId", clientId, "kind", "text", "text", text)));
    }

    Http.Response read(String conversation, String member, String query) {
      return http.get(
          "/v1/conversations/" + conversation + "/messages?userId=" + member + query, chat);
    }

    @Override
    public void close() {
      server.close();
    }
  }

  private static List<String> texts(Http.Response page) {
    List<String> out = new ArrayList<>();
    page.json().get("messages").forEach(m -> out.add(m.path("text").asText(null)));
    return out;
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void members_read_newest_first_a_page_at_a_time_and_a_retry_is_stored_once(String kind) {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo(), w.cy());
      Http.Response first = w.send(group, w.ana(), "c-1", "first light at the crag");
      assertThat(first.status()).as("%s", first).isEqualTo(201);
      assertThat(first.json().get("spam").get("verdict").asText()).isEqualTo("ham");
      assertThat(w.send(group, w.bo(), "c-2", "bring the long rope").status()).isEqualTo(201);
      assertThat(w.send(group, w.cy(), "c-3", "I will drive").status()).isEqualTo(201);

      Http.Response retry = w.send(group, w.ana(), "c-1", "first light at the crag");
      assertThat(retry.status()).isEqualTo(201);
      assertThat(retry.json().get("id")).isEqualTo(first.json().get("id"));
      assertThat(rows(w.server(), "messages")).isEqualTo(3);

      Http.Response page = w.read(group, w.bo(), "&limit=2");
      assertThat(page.status()).as("%s", page).isEqualTo(200);
      assertThat(texts(page)).containsExactly("I will drive", "bring the long rope");
      String cursor = page.json().get("nextCursor").asText();
      Http.Response rest = w.read(group, w.bo(), "&limit=2&cursor=" + cursor);
      assertThat(texts(rest)).containsExactly("first light at the crag");
      assertThat(rest.json().get("nextCursor").isNull()).isTrue();
      assertThat(rest.json().get("messages").get(0).get("from").asText()).isEqualTo(w.ana());

      // The group as created, and the reads in the reader's access log under messaging.
      List<List<String>> log = accessLog(w, w.bo());
      assertThat(log)
          .anySatisfy(e -> assertThat(e).containsSubsequence("service:chat", "messaging"));
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void someone_outside_the_conversation_gets_404_and_nothing_is_written(String kind) {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo());
      assertThat(w.send(group, w.ana(), "c-1", "only for us").status()).isEqualTo(201);

      assertProblem(w.send(group, w.cy(), "c-9", "let me in"), 404);
      assertProblem(w.read(group, w.cy(), ""), 404);
      String unknown = "cv_" + "0".repeat(32);
      assertProblem(w.send(unknown, w.ana(), "c-2", "anyone?"), 404);
      assertProblem(w.read(unknown, w.ana(), ""), 404);
      String mid = w.read(group, w.ana(), "").json().get("messages").get(0).get("id").asText();
      assertProblem(
          w.http()
              .post(
                  "/v1/messages/" + mid + "/report",
                  w.chat(),
                  json(Map.of("by", w.cy(), "reason", "spam"))),
          404);
      assertThat(rows(w.server(), "messages")).isEqualTo(1);
      assertThat(rows(w.server(), "message_reports")).isZero();
      // A person's own token reads as that person only.
      String boToken = w.server().signIn("sms", "+4915199000002");
      assertThat(w.http().get("/v1/conversations/" + group + "/messages", boToken).status())
          .isEqualTo(200);
      String cyToken = w.server().signIn("sms", "+4915199000003");
      assertProblem(
          w.http().get("/v1/conversations/" + group + "/messages?userId=" + w.bo(), cyToken), 404);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void bad_input_is_a_400_naming_the_field_and_writes_nothing(String kind) {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo());
      String messages = "/v1/conversations/" + group + "/messages";
      Map<String, Object> base = new LinkedHashMap<>();
      base.put("from", w.ana());
      base.put("clientMessageId", "c-1");
      base.put("kind", "text");
      base.put("text", "hello");
      assertProblem(w.http().post(messages, w.chat(), json(with(base, "text", " "))), 400, "text");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "text", "x".repeat(10_001)))),
          400,
          "text");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "kind", "sticker"))), 400, "kind");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "mediaId", "m1"))), 400, "mediaId");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "kind", "image"))), 400, "mediaId");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "clientMessageId", ""))),
          400,
          "clientMessageId");
      assertProblem(
          w.http().post(messages, w.chat(), json(with(base, "from", "ana"))), 400, "from");
      assertProblem(w.http().post(messages, w.chat(), "{\"from\":"), 400);
      assertProblem(
          w.http()
              .post(
                  "/v1/conversations",
                  w.chat(),
                  json(Map.of("type", "direct", "members", List.of(w.ana(), w.bo(), w.cy())))),
          400,
          "members");
      assertProblem(
          w.http()
              .post(
                  "/v1/conversations",
                  w.chat(),
                  json(Map.of("type", "group", "members", List.of(w.ana(), w.ana(), w.bo())))),
          400,
          "members[1]");
      String nobody = UUID.randomUUID().toString();
      assertProblem(
          w.http()
              .post(
                  "/v1/conversations",
                  w.chat(),
                  json(Map.of("type", "group", "members", List.of(w.ana(), nobody)))),
          400,
          "members[1]");
      Map<String, Object> call = new LinkedHashMap<>();
      call.put("from", w.ana());
      call.put("to", List.of(w.bo()));
      call.put("kind", "voice");
      call.put("startedAt", "2026-01-01T10:00:00Z");
      call.put("endedAt", "2026-01-01T09:00:00Z");
      call.put("outcome", "answered");
      assertProblem(w.http().post("/v1/calls", w.chat(), json(call)), 400, "endedAt");
      assertProblem(
          w.http().post("/v1/calls", w.chat(), json(with(call, "outcome", "hung up"))),
          400,
          "outcome",
          "endedAt");
      assertProblem(
          w.http()
              .post(
                  "/v1/calls",
                  w.chat(),
                  json(with(with(call, "endedAt", null), "to", List.of(nobody)))),
          400,
          "to[0]");
      assertProblem(
          w.http().post("/v1/spam/classify", w.chat(), json(Map.of("text", ""))), 400, "text");
      assertProblem(w.read(group, w.ana(), "&limit=0"), 400, "limit");
      assertProblem(w.read(group, w.ana(), "&cursor=abc"), 400, "cursor");

      assertThat(rows(w.server(), "messages")).isZero();
      assertThat(rows(w.server(), "calls")).isZero();
      assertThat(rows(w.server(), "conversations")).isEqualTo(1);
    }
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    if (value == null) {
      out.remove(key);
    } else {
      out.put(key, value);
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_direct_conversation_exists_once_per_pair(String kind) {
    try (World w = World.start(kind, dir)) {
      String body = json(Map.of("type", "direct", "members", List.of(w.ana(), w.bo())));
      Http.Response created = w.http().post("/v1/conversations", w.chat(), body);
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      Http.Response again =
          w.http()
              .post(
                  "/v1/conversations",
                  w.chat(),
                  json(Map.of("type", "direct", "members", List.of(w.bo(), w.ana()))));
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().get("id")).isEqualTo(created.json().get("id"));
      assertThat(rows(w.server(), "conversations")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_message_judged_spam_is_held_from_the_others_and_queued_for_operators(String kind) {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo());
      Http.Response spam = w.send(group, w.ana(), "c-1", SPAM);
      assertThat(spam.status()).as("%s", spam).isEqualTo(201);
      assertThat(spam.json().get("spam").get("verdict").asText()).isEqualTo("spam");
      assertThat(spam.json().get("spam").toString()).doesNotContain("gift card");
      assertThat(w.send(group, w.bo(), "c-2", "see you at the wall at six").status())
          .isEqualTo(201);

      assertThat(texts(w.read(group, w.bo(), ""))).containsExactly("see you at the wall at six");
      assertThat(texts(w.read(group, w.ana(), ""))).contains(SPAM);

      Http.Response queue = w.http().get("/v1/admin/spam-queue", TestServer.ADMIN_TOKEN);
      assertThat(queue.status()).as("%s", queue).isEqualTo(200);
      JsonNode held = queue.json().get("messages");
      assertThat(held).hasSize(1);
      assertThat(held.get(0).get("text").asText()).isEqualTo(SPAM);
      assertThat(held.get(0).get("held").asBoolean()).isTrue();
      assertThat(accessLog(w, w.ana()))
          .anySatisfy(e -> assertThat(e).containsSubsequence("admin", "safety"));

      // A member reports the other message: it joins the queue, once however often reported.
      String ham = w.read(group, w.bo(), "").json().get("messages").get(0).get("id").asText();
      for (int i = 0; i < 2; i++) {
        Http.Response report =
            w.http()
                .post(
                    "/v1/messages/" + ham + "/report",
                    w.chat(),
                    json(Map.of("by", w.ana(), "reason", "abuse")));
        assertThat(report.status()).as("%s", report).isEqualTo(202);
      }
      assertThat(rows(w.server(), "message_reports")).isEqualTo(1);
      JsonNode queued =
          w.http().get("/v1/admin/spam-queue", TestServer.ADMIN_TOKEN).json().get("messages");
      assertThat(queued).hasSize(2);
      // The spam's author is not shown it to report; a service without safety is refused.
      String plain = w.server().service("plain", "messaging");
      assertProblem(w.http().post("/v1/spam/classify", plain, json(Map.of("text", SPAM))), 403);
      Http.Response classified =
          w.http().post("/v1/spam/classify", w.chat(), json(Map.of("text", SPAM)));
      assertThat(classified.json().get("verdict").asText()).isEqualTo("spam");
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void parallel_messages_to_one_conversation_are_numbered_once_each(String kind) throws Exception {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo(), w.cy());
      String[] people = {w.ana(), w.bo(), w.cy()};
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Http.Response>> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          int n = i;
          // Every message twice, as a client retrying at once would.
          for (int copy = 0; copy < 2; copy++) {
            sent.add(
                pool.submit(
                    () ->
                        new Http("http://localhost:" + w.server().port())
                            .post(
                                "/v1/conversations/" + group + "/messages",
                                w.chat(),
                                json(
                                    Map.of(
                                        "from",
                                        people[n % 3],
                                        "clientMessageId",
                                        "p-" + n,
                                        "kind",
                                        "text",
                                        "text",
                                        "message " + n)))));
          }
        }
        Set<String> ids = new HashSet<>();
        for (Future<Http.Response> f : sent) {
          Http.Response r = f.get();
          assertThat(r.status()).as("%s", r).isEqualTo(201);
          ids.add(r.json().get("id").asText());
        }
        assertThat(ids).hasSize(60);
      } finally {
        pool.shutdownNow();
      }
      List<Long> seqs =
          w.server()
              .candor()
              .database()
              .<List<Long>, RuntimeException>withHandle(
                  h ->
                      h.createQuery("SELECT seq FROM messages ORDER BY seq")
                          .mapTo(Long.class)
                          .list());
      List<Long> expected = new ArrayList<>();
      for (long i = 1; i <= 60; i++) {
        expected.add(i);
      }
      assertThat(seqs).isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void erasing_an_author_shreds_what_they_sent_and_leaves_the_others_readable(String kind)
      throws Exception {
    try (World w = World.start(kind, dir)) {
      String phrase = "the quokka sleeps under the marmalade bridge";
      String group = w.group(w.ana(), w.bo(), w.cy());
      assertThat(w.send(group, w.ana(), "c-1", phrase).status()).isEqualTo(201);
      assertThat(w.send(group, w.bo(), "c-2", "noted, see you there").status()).isEqualTo(201);
      Map<String, Object> call = new LinkedHashMap<>();
      call.put("from", w.ana());
      call.put("to", List.of(w.bo()));
      call.put("kind", "video");
      call.put("startedAt", "2026-01-01T10:00:00Z");
      call.put("endedAt", "2026-01-01T10:05:00Z");
      call.put("outcome", "answered");
      assertThat(w.http().post("/v1/calls", w.chat(), json(call)).status()).isEqualTo(201);
      assertThat(AtRest.found(w.server(), dir, List.of(phrase))).as("encrypted at rest").isEmpty();

      Http.Response report = w.http().get("/v1/users/" + w.ana() + "/data", TestServer.ADMIN_TOKEN);
      JsonNode communication = null;
      for (JsonNode c : report.json().get("categories")) {
        if (c.get("id").asText().equals("communication")) {
          communication = c;
        }
      }
      assertThat(communication).isNotNull();
      assertThat(communication.toString())
          .contains("\"field\":\"messages\"")
          .contains("\"field\":\"calls\"")
          .contains("\"field\":\"conversations\"");
      Http.Response export =
          w.http().get("/v1/users/" + w.ana() + "/export", TestServer.ADMIN_TOKEN);
      assertThat(export.status()).isEqualTo(200);
      assertThat(new String(export.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
          .contains("communication-messages-sent");

      assertThat(w.http().delete("/v1/users/" + w.ana(), TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);
      w.server().candor().database().flushErasedPages();

      JsonNode page = w.read(group, w.bo(), "").json().get("messages");
      assertThat(page).hasSize(2);
      assertThat(page.get(0).get("text").asText()).isEqualTo("noted, see you there");
      JsonNode shredded = page.get(1);
      assertThat(shredded.get("from").isNull()).isTrue();
      assertThat(shredded.has("text")).isFalse();
      assertThat(shredded.get("deleted").asText()).isEqualTo("deleted: erased account");
      assertThat(AtRest.found(w.server(), dir, List.of(phrase, w.ana())))
          .as("traces after erasure")
          .isEmpty();
      // Bo keeps the call, on his own.
      assertThat(rows(w.server(), "calls")).isEqualTo(1);
      assertThat(rows(w.server(), "call_participants")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_file_sent_in_a_conversation_downloads_for_its_members_only(String kind) {
    try (World w = World.start(kind, dir)) {
      String group = w.group(w.ana(), w.bo());
      Http.Response upload =
          w.http()
              .send(
                  "POST",
                  "/v1/media",
                  w.chat(),
                  "a photo of the crag at dawn",
                  "Content-Type",
                  "image/jpeg",
                  "Candor-Owner",
                  w.ana());
      assertThat(upload.status()).as("%s", upload).isEqualTo(201);
      String media = upload.json().get("id").asText();
      String download = "/v1/media/" + media + "?userId=";
      assertProblem(w.http().get(download + w.bo(), w.chat()), 404);

      // Only the uploader may send it: Bo cannot show Ana's file to a conversation.
      Map<String, Object> photo = new LinkedHashMap<>();
      photo.put("from", w.bo());
      photo.put("clientMessageId", "p-1");
      photo.put("kind", "image");
      photo.put("mediaId", media);
      assertProblem(
          w.http().post("/v1/conversations/" + group + "/messages", w.chat(), json(photo)),
          400,
          "mediaId");
      photo.put("from", w.ana());
      Http.Response sent =
          w.http().post("/v1/conversations/" + group + "/messages", w.chat(), json(photo));
      assertThat(sent.status()).as("%s", sent).isEqualTo(201);

      Http.Response got = w.http().get(download + w.bo(), w.chat());
      assertThat(got.status()).as("%s", got).isEqualTo(200);
      assertThat(got.text()).isEqualTo("a photo of the crag at dawn");
      assertProblem(w.http().get(download + w.cy(), w.chat()), 404);
      JsonNode seen = w.read(group, w.bo(), "").json().get("messages").get(0);
      assertThat(seen.get("mediaId").asText()).isEqualTo(media);
      assertThat(seen.get("kind").asText()).isEqualTo("image");
    }
  }

  private static JsonNode reasons(Http.Response sent) {
    assertThat(sent.status()).as("%s", sent).isEqualTo(201);
    return sent.json().get("spam");
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void the_same_text_to_many_conversations_reported_links_and_reported_senders_raise_the_verdict(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String account = w.server().service("more", "account");
      List<String> groups = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        groups.add(w.group(w.ana(), w.server().person(account)));
      }
      // Nearly the same text (only the number differs) to seven conversations: bulk from the
      // sixth on, never before.
      for (int i = 0; i < 7; i++) {
        JsonNode spam =
            reasons(
                w.send(
                    groups.get(i),
                    w.ana(),
                    "bulk-" + i,
                    "Hello friend, my new shop is open, ask me for code " + (100 + i)));
        if (i < 5) {
          assertThat(spam.toString()).doesNotContain("bulk");
        } else {
          assertThat(spam.get("verdict").asText()).isIn("suspicious", "spam");
          assertThat(spam.get("reasons").get(0).get("code").asText()).isEqualTo("bulk");
        }
      }

      // Bo reports a message of Ana's with a link as spam; a later link there is suspect.
      String together = w.group(w.ana(), w.bo(), w.cy());
      Http.Response linked =
          w.send(together, w.ana(), "l-1", "look at https://cheap-watches.example.net/deal now");
      assertThat(linked.status()).isEqualTo(201);
      assertThat(linked.json().get("spam").toString()).doesNotContain("reported_link");
      String mid = linked.json().get("id").asText();
      assertThat(
              w.http()
                  .post(
                      "/v1/messages/" + mid + "/report",
                      w.chat(),
                      json(Map.of("by", w.bo(), "reason", "spam")))
                  .status())
          .isEqualTo(202);
      JsonNode later =
          reasons(w.send(together, w.cy(), "l-2", "have you seen www.cheap-watches.example.net"));
      assertThat(later.get("reasons").toString()).contains("reported_link");
      assertThat(later.get("verdict").asText()).isIn("suspicious", "spam");

      // Three spam reports against Ana's messages: what she sends next is suspect.
      for (String text : List.of("one more thing", "and another", "last one, promise")) {
        String id =
            w.send(together, w.ana(), "r-" + text.hashCode(), text).json().get("id").asText();
        assertThat(
                w.http()
                    .post(
                        "/v1/messages/" + id + "/report",
                        w.chat(),
                        json(Map.of("by", w.cy(), "reason", "spam")))
                    .status())
            .isEqualTo(202);
      }
      JsonNode next = reasons(w.send(together, w.ana(), "r-next", "are we meeting today"));
      assertThat(next.get("reasons").toString()).contains("reported_sender");
      // Bo, reported by nobody, is judged on his text alone.
      JsonNode bo = reasons(w.send(together, w.bo(), "b-1", "are we meeting today"));
      assertThat(bo.get("reasons")).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_new_account_writing_to_many_conversations_in_a_burst_is_suspect(String kind) {
    try (World w = World.start(kind, dir)) {
      String account = w.server().service("more", "account");
      List<String> groups = new ArrayList<>();
      for (int i = 0; i < 31; i++) {
        groups.add(w.group(w.ana(), w.server().person(account)));
      }
      String[] texts = {"hi there", "hello!", "how are you", "long time no see", "hey"};
      JsonNode last = null;
      for (int i = 0; i < 31; i++) {
        last = reasons(w.send(groups.get(i), w.ana(), "f-" + i, texts[i % texts.length]));
        if (i < 20) {
          assertThat(last.get("reasons").toString()).doesNotContain("new_account_fan_out");
        }
      }
      assertThat(last.get("reasons").toString()).contains("new_account_fan_out").contains("burst");
      assertThat(last.get("verdict").asText()).isIn("suspicious", "spam");
    }
  }

  private static List<List<String>> accessLog(World w, String subjectId) {
    return w.server()
        .candor()
        .database()
        .<List<List<String>>, RuntimeException>withHandle(
            h ->
                h.createQuery(
                        "SELECT caller, purpose, fields FROM access_log WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .map((rs, ctx) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3)))
                    .list());
  }
}
