package app.candor.payment;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A transfer is answered 201 only once it is durable: after {@code kill -9} of the server in the
 * middle of a stream of transfers from several threads, a restart on the same data (the same data
 * dir, and on PostgreSQL the same database) has every acknowledged transfer, each once; retrying
 * every key sent before the kill moves no money twice; and the ledger adds up.
 */
class TransferDurabilityTest {

  @TempDir Path dataDir;
  @TempDir Path logDir;

  /** A request sent under a key: who pays whom how much, and its body. */
  record Sent(String from, String to, long amount, boolean hold, String body) {}

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(150)
  void every_acknowledged_transfer_survives_kill_minus_nine_exactly_once(String kind)
      throws Exception {
    Map<String, String> settings = new HashMap<>(Map.of("CANDOR_CODE_SENDER", "none"));
    Optional<String> pgUrl = Optional.empty();
    if (kind.equals(TestDatabases.POSTGRESQL)) {
      pgUrl = Optional.of(TestDatabases.freshPgSchemaUrl());
      settings.put("CANDOR_DB_URL", pgUrl.get());
    }
    Map<String, Sent> sent = new ConcurrentHashMap<>();
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    List<String> people = new ArrayList<>();
    String merchant;
    String pay;

    int port = ChildServer.freePort();
    Path firstLog = logDir.resolve("first.log");
    Process first = ChildServer.start(dataDir, port, firstLog, settings);
    try {
      Http http = new Http("http://localhost:" + port);
      ChildServer.awaitReady(first, http, firstLog);
      String account = service(http, "accounts", "account");
      pay = service(http, "pay", "payments");
      PaymentClient client = new PaymentClient(http, pay);
      merchant = client.merchant("Corner Cafe");
      for (int i = 0; i < 5; i++) {
        Http.Response created =
            http.post(
                "/v1/users",
                account,
                "{\"name\":\"Payer "
                    + (char) ('A' + i)
                    + "\",\"phone\":\"+49151990003"
                    + (10 + i)
                    + "\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String person = created.json().get("id").asText();
        people.add(person);
        String card = client.card(person, LedgerPropertyTest.cardNumber(i));
        String key = "fund-" + i;
        String body = PaymentClient.walletMove(card, 20_000);
        Http.Response funded = client.topUp(person, body, key);
        assertThat(funded.status()).as("%s", funded).isEqualTo(201);
        // A modest first top-up: a large one from a card added a moment ago is declined.
        assertThat(funded.json().get("status").asText()).isEqualTo("posted");
        sent.put(key, new Sent("world", person, 20_000, false, body));
        acknowledged.put(key, funded.json().get("id").asText());
      }

      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        Thread sender =
            new Thread(
                () -> {
                  Http own = new Http("http://localhost:" + port);
                  PaymentClient c = new PaymentClient(own, pay);
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int n = 0; !stop.get(); n++) {
                    String from = people.get(random.nextInt(people.size()));
                    String to = people.get(random.nextInt(people.size()));
                    boolean toMerchant = to.equals(from);
                    boolean hold = random.nextInt(5) == 0;
                    long amount = 1 + random.nextInt(500);
                    String body =
                        PaymentClient.transfer(
                            from,
                            toMerchant
                                ? PaymentClient.toMerchant(merchant)
                                : PaymentClient.toPerson(to),
                            amount,
                            hold ? Optional.of(3_600) : Optional.empty());
                    String key = "t" + thread + "-" + n;
                    sent.put(key, new Sent(from, toMerchant ? merchant : to, amount, hold, body));
                    try {
                      Http.Response r = c.transfer(body, key);
                      if (r.status() == 201) {
                        acknowledged.put(key, r.json().get("id").asText());
                      }
                    } catch (RuntimeException e) {
                      return; // the server is gone
                    }
                  }
                });
        senders.add(sender);
        sender.start();
      }
      // Kill once a good number of transfers are acknowledged, with more in flight.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (acknowledged.size() < 200 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      // SIGKILL: no shutdown hook, no checkpoint, no clean close of the pool.
      first.destroyForcibly();
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      for (Thread s : senders) {
        s.join(10_000);
      }
    } finally {
      first.destroyForcibly();
    }
    assertThat(first.exitValue()).isNotZero();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(200);
    Map<String, String> acknowledgedBeforeKill = Map.copyOf(acknowledged);

    int port2 = ChildServer.freePort();
    Path secondLog = logDir.resolve("second.log");
    Process second = ChildServer.start(dataDir, port2, secondLog, settings);
    Map<String, String> idByKey = new HashMap<>();
    Map<String, String> statusById = new HashMap<>();
    try {
      Http http = new Http("http://localhost:" + port2);
      ChildServer.awaitReady(second, http, secondLog);
      PaymentClient client = new PaymentClient(http, pay);

      // Every acknowledged transfer is there, as it was answered.
      for (Map.Entry<String, String> e : acknowledgedBeforeKill.entrySet()) {
        Http.Response got = http.get("/v1/transfers/" + e.getValue(), pay);
        assertThat(got.status())
            .as("acknowledged %s (%s): %s", e.getValue(), e.getKey(), got)
            .isEqualTo(200);
        assertThat(got.json().get("amount").get("amount").asLong())
            .isEqualTo(sent.get(e.getKey()).amount());
      }

      // Every key sent before the kill, sent again: an acknowledged one answers its transfer
      // again; one cut off by the kill either committed (and answers that) or runs now.
      for (Map.Entry<String, Sent> e : sent.entrySet()) {
        if (e.getKey().startsWith("fund-")) {
          idByKey.put(e.getKey(), acknowledgedBeforeKill.get(e.getKey()));
          continue;
        }
        Http.Response r = client.transfer(e.getValue().body(), e.getKey());
        assertThat(r.status()).as("retry of %s: %s", e.getKey(), r).isIn(201, 402);
        if (acknowledgedBeforeKill.containsKey(e.getKey())) {
          assertThat(r.status()).as("retry of acknowledged %s", e.getKey()).isEqualTo(201);
          assertThat(r.json().get("id").asText())
              .as("retry of acknowledged %s", e.getKey())
              .isEqualTo(acknowledgedBeforeKill.get(e.getKey()));
        }
        if (r.status() == 201) {
          idByKey.put(e.getKey(), r.json().get("id").asText());
        }
      }
      for (String id : idByKey.values()) {
        JsonNode got = http.get("/v1/transfers/" + id, pay).json();
        statusById.put(id, got.get("status").asText());
      }
      // The wallets hold what the answers say.
      Map<String, Long> expected = expectedAvailable(sent, idByKey, statusById);
      for (String person : people) {
        JsonNode wallet = http.get("/v1/users/" + person + "/wallet", pay).json();
        assertThat(wallet.get("balance").get("amount").asLong())
            .as("available in %s", person)
            .isEqualTo(expected.getOrDefault(person, 0L));
      }
    } finally {
      second.destroy();
      if (!second.waitFor(30, TimeUnit.SECONDS)) {
        second.destroyForcibly();
      }
    }

    Config config =
        Config.forDataDir(dataDir)
            .withAdminToken(Optional.of(TestServer.ADMIN_TOKEN))
            .withDbUrl(pgUrl);
    try (Candor candor = Candor.open(config)) {
      Map<String, Integer> rows = new HashMap<>();
      candor
          .database()
          .<List<String>, RuntimeException>withHandle(
              h -> h.createQuery("SELECT id FROM transfers").mapTo(String.class).list())
          .forEach(id -> rows.merge(id, 1, Integer::sum));
      // One row per key that got a 201 (ids are distinct across keys), and no other row: no key
      // moved money twice, and nothing moved without an answer.
      assertThat(new java.util.HashSet<>(idByKey.values())).hasSize(idByKey.size());
      assertThat(rows.keySet()).isEqualTo(new java.util.HashSet<>(idByKey.values()));
      assertThat(rows.values()).allMatch(n -> n == 1);
      assertThat(rows.keySet()).containsAll(acknowledgedBeforeKill.values());

      Payments.LedgerCheck check = candor.payments().verify();
      assertThat(check.ok()).as("%s", check).isTrue();
      assertThat(check.totals()).containsExactly(Map.entry("EUR", 0L));
      System.out.printf(
          "transfer durability on %s: %d acknowledged before the kill, %d keys sent, %d transfers"
              + " after retrying them all%n",
          kind, acknowledgedBeforeKill.size(), sent.size(), rows.size());
    }
  }

  /** Each person's available money by the answers: top-ups in, posted and held amounts out. */
  private static Map<String, Long> expectedAvailable(
      Map<String, Sent> sent, Map<String, String> idByKey, Map<String, String> statusById) {
    Map<String, Long> out = new HashMap<>();
    for (Map.Entry<String, String> e : idByKey.entrySet()) {
      Sent s = sent.get(e.getKey());
      String status = statusById.get(e.getValue());
      if (status.equals("posted") || status.equals("held")) {
        out.merge(s.to(), status.equals("posted") ? s.amount() : 0, Long::sum);
        out.merge(s.from(), -s.amount(), Long::sum);
      }
    }
    return out;
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
}
