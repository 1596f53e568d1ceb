package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.SecondNode;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two server processes on one database race to spend one wallet: every transfer either moves its
 * money or is refused with 402, the wallet never goes below zero, no idempotency key pays twice
 * even when its two copies reach the two nodes at once, and the ledger adds up afterwards.
 */
class TwoNodePaymentsTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(240)
  void concurrent_transfers_from_one_wallet_on_two_nodes_never_double_spend(String kind)
      throws Exception {
    Config config = TestDatabases.config(kind, dir.resolve("node1"));
    try (TestServer one = TestServer.of(Candor.withOutbox(config));
        SecondNode node2 = SecondNode.start(config, dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        Http two = node2.http();
        String account = one.service("accounts", "account");
        String payer = one.person(account);
        List<String> payees = List.of(one.person(account), one.person(account));
        PaymentsApiTest.World w =
            new PaymentsApiTest.World(
                one, one.http(), one.service("pay", "payments"), "", payer, payees.get(0));
        String card = w.card(payer, PaymentsApiTest.VISA);
        assertThat(w.topUp(payer, card, 10_000, "fund").status()).isEqualTo(201);

        // 40 transfers of 400 (16,000 asked of 10,000), half through each node, each key sent
        // to both nodes at once.
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String body = w.toPerson(payer, payees.get(i % 2), 400, ",\"note\":\"race " + i + "\"");
          String key = "race-" + i;
          for (Http node : List.of(one.http(), two)) {
            answers.add(
                pool.submit(
                    () ->
                        node.post("/v1/transfers", w.pay(), body, "Idempotency-Key", key)
                            .status()));
          }
        }
        int posted = 0;
        for (int i = 0; i < answers.size(); i += 2) {
          int a = answers.get(i).get();
          int b = answers.get(i + 1).get();
          assertThat(List.of(a, b))
              .as("answers to key race-%d", i / 2)
              .allMatch(s -> s == 201 || s == 402);
          if (a == 201 || b == 201) {
            posted++;
          }
        }
        long spent =
            one.candor()
                .database()
                .<Long, RuntimeException>withHandle(
                    h ->
                        h.createQuery(
                                "SELECT COALESCE(SUM(posted_amount), 0) FROM transfers"
                                    + " WHERE kind = 'transfer' AND status = 'posted'")
                            .mapTo(Long.class)
                            .one());
        long count =
            one.candor()
                .database()
                .<Long, RuntimeException>withHandle(
                    h ->
                        h.createQuery("SELECT COUNT(*) FROM transfers WHERE kind = 'transfer'")
                            .mapTo(Long.class)
                            .one());
        // Each key moved money at most once: one transfer row per key that got a 201.
        assertThat(count).isEqualTo(posted);
        assertThat(spent).isEqualTo(400L * posted).isLessThanOrEqualTo(10_000);
        assertThat(w.balance(payer)).isEqualTo(10_000 - spent).isGreaterThanOrEqualTo(0);
        assertThat(one.candor().payments().verify().ok()).isTrue();
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
