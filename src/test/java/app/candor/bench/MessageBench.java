package app.candor.bench;

import app.candor.Candor;
import app.candor.communication.Conversation;
import app.candor.communication.Conversations;
import app.candor.core.config.Config;
import app.candor.core.crypto.FieldCipher;
import com.google.crypto.tink.Aead;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Text messages over HTTP, one per request, each screened for spam, its text encrypted with its
 * author's key and written through the group commit, 201 once durable: driven from this process (a
 * separate JVM from the server) by {@link LoopClient}, closed loop for the rate, then paced at half
 * of it for the p99. Then the read: the newest 50 messages of a random conversation ({@code GET
 * /v1/conversations/{id}/messages?userId&limit=50}) with {@code --stored} messages in the database
 * (loaded before the server starts, straight into the tables with their texts encrypted; not
 * measured).
 *
 * <pre>
 * ./mvnw -q test-compile exec:exec@message-bench \
 *   -Dmessage.bench.args='--people 10000 --seconds 20 --connections 64 --stored 10000000 \
 *   --pg jdbc:postgresql://127.0.0.1:5432/test?user=postgres'
 * </pre>
 */
public final class MessageBench {

  private MessageBench() {}

  /** Texts like a chat's: short, ordinary, some with a link or a number. */
  private static final String[] TEXTS = {
    "are we still on for lunch tomorrow?",
    "running ten minutes late, sorry",
    "can you send me the photos from saturday",
    "the meeting moved to 3pm, same room",
    "happy birthday!! have a great day",
    "did you see the match last night",
    "I left the keys with the neighbour",
    "ok see you there",
    "here is the link to the doc https://docs.example.com/d/1234",
    "call me when you land",
    "thanks, that really helped",
    "what time does the train leave"
  };

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int people = Integer.parseInt(opts.getOrDefault("people", "10000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int connections = Integer.parseInt(opts.getOrDefault("connections", "64"));
    long stored = Long.parseLong(opts.getOrDefault("stored", "1000000"));
    System.out.println(BenchUtil.machine());
    System.out.printf(
        "Settings: %,d people in %,d direct conversations; %d s per run after 10 s of warm-up;"
            + " %d connections; %,d messages stored before the read run%n",
        people, people / 2, seconds, connections, stored);
    run("SQLite", Optional.empty(), people, seconds, connections, stored);
    String url = opts.get("pg");
    if (url != null) {
      System.out.println(BenchUtil.pgDescription(url));
      String schema = BenchUtil.freshSchema(url, "message_bench");
      try {
        run("PostgreSQL", Optional.of(schema), people, seconds, connections, stored);
      } finally {
        BenchUtil.dropSchema(schema);
      }
    }
  }

  private static void run(
      String engine, Optional<String> dbUrl, int people, int seconds, int connections, long stored)
      throws Exception {
    Path dir = Files.createTempDirectory("candor-message-bench");
    Path data = dir.resolve("data");
    Config config = Config.forDataDir(data).withDbUrl(dbUrl);
    List<String> ids;
    List<Conversation> conversations = new ArrayList<>();
    long start = System.nanoTime();
    try (Candor candor = Candor.open(config)) {
      ids = BenchUtil.createPeople(candor, people, 42);
      Conversations c = candor.communication().conversations();
      for (int i = 0; i + 1 < ids.size(); i += 2) {
        conversations.add(
            c.create(Conversation.DIRECT, List.of(ids.get(i), ids.get(i + 1)), Optional.empty())
                .conversation());
      }
      preload(candor, config, dbUrl, conversations, stored);
    }
    BenchUtil.log(
        "message-bench %s: %,d people, %,d conversations, %,d messages stored in %.0f s",
        engine, people, conversations.size(), stored, (System.nanoTime() - start) / 1e9);
    try (CandorServer server = CandorServer.start(data, dbUrl, List.of("-Xmx4g"))) {
      String key = CandorLocationRun.service(server, "bench-chat", "messaging");
      AtomicLong n = new AtomicLong();
      LoopClient.Source send =
          (i, r) -> {
            Conversation c = conversations.get(r.nextInt(conversations.size()));
            String from = c.members().get(r.nextInt(2));
            String body =
                "{\"from\":\""
                    + from
                    + "\",\"clientMessageId\":\"b-"
                    + n.incrementAndGet()
                    + "\",\"kind\":\"text\",\"text\":\""
                    + TEXTS[r.nextInt(TEXTS.length)]
                    + "\"}";
            return GeoLoad.http("POST", "/v1/conversations/" + c.id() + "/messages", key, body);
          };
      LoopClient.Source read =
          (i, r) -> {
            Conversation c = conversations.get(r.nextInt(conversations.size()));
            return GeoLoad.http(
                "GET",
                "/v1/conversations/"
                    + c.id()
                    + "/messages?userId="
                    + c.members().get(r.nextInt(2))
                    + "&limit=50",
                key,
                null);
          };
      long[] pids = {server.pid(), ProcessHandle.current().pid()};
      LoopClient.Plan closed =
          LoopClient.Plan.closed(server.port, LoopClient.Protocol.HTTP, connections, 10, seconds)
              .cpuOf(pids);
      LoopClient.Result r = LoopClient.run(closed, send, null);
      LoopClient.Result paced = LoopClient.run(closed.paced(r.okPerSecond() / 2), send, null);
      LoopClient.Result reads = LoopClient.run(closed, read, null);
      LoopClient.Result readsPaced =
          LoopClient.run(closed.paced(reads.okPerSecond() / 2), read, null);
      System.out.printf(
          "%n%s, text messages through HTTP (screened, encrypted, durable) and reads of the"
              + " newest 50:%n",
          engine);
      System.out.println(
          "| run | per second | p50 | p99 | failures | server cores | client cores |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (var e :
          List.of(
              Map.entry("messages, closed loop", r),
              Map.entry("messages, paced at half", paced),
              Map.entry("newest 50, closed loop", reads),
              Map.entry("newest 50, paced at half", readsPaced))) {
        LoopClient.Result x = e.getValue();
        System.out.printf(
            "| %s | %,.0f | %.2f ms | %.2f ms | %s | %.2f | %.2f |%n",
            e.getKey(), x.okPerSecond(), x.p50(), x.p99(), x.failureText(), x.cpu()[0], x.cpu()[1]);
      }
    }
    try (Candor candor = Candor.open(config)) {
      long rows =
          candor
              .database()
              .<Long, RuntimeException>withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM messages").mapTo(Long.class).one());
      System.out.printf("%s: %,d messages in the table after the runs%n", engine, rows);
    }
    BenchUtil.deleteTree(dir);
  }

  /**
   * {@code count} messages spread over the conversations, written straight into the tables in large
   * transactions (setup, not the path measured), each text encrypted with its author's key as the
   * service would, numbered per conversation.
   */
  private static void preload(
      Candor candor,
      Config config,
      Optional<String> dbUrl,
      List<Conversation> conversations,
      long count)
      throws Exception {
    String url = dbUrl.orElse("jdbc:sqlite:" + config.dataDir().resolve("candor.db"));
    Map<String, Aead> keys = new java.util.HashMap<>();
    long[] seq = new long[conversations.size()];
    Random random = new Random(7);
    long at = System.currentTimeMillis() - 30L * 86_400_000L;
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO messages (id, conversation_id, seq, sender_id, client_message_id, kind,"
                  + " body_ct, at, verdict, score, reasons, held) VALUES (?, ?, ?, ?, ?, 'text',"
                  + " ?, ?, 'ham', 1, '[]', 0)")) {
        for (long i = 0; i < count; i++) {
          int k = random.nextInt(conversations.size());
          Conversation conv = conversations.get(k);
          String from = conv.members().get(random.nextInt(2));
          Aead aead = keys.computeIfAbsent(from, id -> candor.subjectKeys().find(id).orElseThrow());
          insert.setString(1, app.candor.core.store.Ids.timeOrdered("msg_", at + i / 10));
          insert.setString(2, conv.id());
          insert.setLong(3, ++seq[k]);
          insert.setString(4, from);
          insert.setString(5, "pre-" + i);
          insert.setString(
              6,
              FieldCipher.encrypt(aead, from, "message.text", TEXTS[random.nextInt(TEXTS.length)]));
          insert.setLong(7, at + i / 10);
          insert.addBatch();
          if (i % 5_000 == 4_999) {
            insert.executeBatch();
            c.commit();
          }
        }
        insert.executeBatch();
      }
      try (PreparedStatement last =
          c.prepareStatement("UPDATE conversations SET last_seq = ? WHERE id = ?")) {
        for (int k = 0; k < conversations.size(); k++) {
          last.setLong(1, seq[k]);
          last.setString(2, conversations.get(k).id());
          last.addBatch();
        }
        last.executeBatch();
      }
      c.commit();
    }
  }
}
