package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.payment.Payments;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code candor ledger verify} after real payments says OK and exits 0; when one stored figure no
 * longer matches the transfers (an account's balance or held amount, or a transfer's posted amount,
 * changed behind the ledger's back in SQL), it names each account that differs, by how much, and
 * exits 1; put back, it is OK again.
 */
class LedgerVerifyCommandTest {

  @TempDir Path dir;

  /** What one run of the command printed, and its exit code. */
  record Run(int exit, String output) {}

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(90)
  void ledger_verify_passes_after_real_payments_and_names_each_corrupted_figure(String kind)
      throws Exception {
    Config config = TestDatabases.config(kind, dir);
    try (TestServer server = TestServer.of(Candor.withOutbox(config))) {
      Http http = server.http();
      String account = server.service("accounts", "account");
      String pay = server.service("pay", "payments");
      String ana = server.person(account);
      String bo = server.person(account);
      Http.Response merchant =
          http.post(
              "/v1/merchants", TestServer.ADMIN_TOKEN, "{\"name\":\"Cafe\",\"category\":\"food\"}");
      String cafe = merchant.json().get("id").asText();
      Http.Response card =
          http.post(
              "/v1/users/" + ana + "/payment-methods",
              pay,
              "{\"type\":\"card\",\"card\":{\"number\":\"4242424242424242\",\"expMonth\":12,"
                  + "\"expYear\":2099,\"cvc\":\"123\",\"holderName\":\"Ana Example\"}}");
      String method = card.json().get("id").asText();
      expect201(
          http.post(
              "/v1/users/" + ana + "/wallet/top-ups",
              pay,
              "{\"paymentMethodId\":\""
                  + method
                  + "\",\"amount\":{\"amount\":10000,\"currency\":\"EUR\"}}",
              "Idempotency-Key",
              "top"));
      String paid =
          expect201(transfer(http, pay, ana, "{\"userId\":\"" + bo + "\"}", 2_500, "", "t1"));
      expect201(transfer(http, pay, ana, "{\"merchantId\":\"" + cafe + "\"}", 700, "", "t2"));
      String held =
          expect201(
              transfer(
                  http,
                  pay,
                  ana,
                  "{\"merchantId\":\"" + cafe + "\"}",
                  1_500,
                  ",\"hold\":{\"timeoutSeconds\":600}",
                  "t3"));
      Http.Response captured =
          http.post("/v1/transfers/" + held + "/capture", pay, "{\"amount\":900}");
      assertThat(captured.status()).as("%s", captured).isEqualTo(200);
      expect201(
          transfer(
              http,
              pay,
              ana,
              "{\"userId\":\"" + bo + "\"}",
              400,
              ",\"hold\":{\"timeoutSeconds\":600}",
              "t4"));

      Payments.LedgerCheck check = server.candor().payments().verify();
      assertThat(check.ok()).as("%s", check).isTrue();
      assertThat(check.transfers()).isEqualTo(5);
      // Ana's wallet, Bo's wallet, the cafe and the world outside.
      assertThat(check.accounts()).isEqualTo(4);
      Run clean = verify(config);
      assertThat(clean.exit()).as(clean.output()).isZero();
      assertThat(clean.output())
          .contains("Ledger: 4 accounts, 5 transfers; totals per currency {EUR=0}")
          .contains("OK: every balance equals its transfers")
          .doesNotContain("DIFFERENCE");

      String boWallet = accountOf(server, "wallet", bo);
      String anaWallet = accountOf(server, "wallet", ana);

      // A balance changed in SQL: that account differs by 1, and the currency no longer sums to 0.
      sql(server, "UPDATE ledger_accounts SET balance = balance + 1 WHERE id = '" + boWallet + "'");
      Run balance = verify(config);
      assertThat(balance.exit()).as(balance.output()).isEqualTo(1);
      assertThat(differences(balance))
          .containsExactly("DIFFERENCE " + boWallet + ": balance stored 2501, transfers say 2500");
      assertThat(balance.output()).contains("totals per currency {EUR=1}").contains("FAILED");
      sql(server, "UPDATE ledger_accounts SET balance = balance - 1 WHERE id = '" + boWallet + "'");
      assertThat(verify(config).exit()).isZero();

      // A held amount changed in SQL: Ana's hold of 400 no longer matches.
      sql(server, "UPDATE ledger_accounts SET held = held + 5 WHERE id = '" + anaWallet + "'");
      Run hold = verify(config);
      assertThat(hold.exit()).as(hold.output()).isEqualTo(1);
      assertThat(differences(hold))
          .containsExactly("DIFFERENCE " + anaWallet + ": held stored 405, transfers say 400");
      sql(server, "UPDATE ledger_accounts SET held = held - 5 WHERE id = '" + anaWallet + "'");

      // A transfer's posted amount changed in SQL: both its accounts now differ from it, by the
      // same amount in opposite directions, while the stored balances still sum to 0.
      sql(
          server,
          "UPDATE transfers SET posted_amount = posted_amount + 3 WHERE id = '" + paid + "'");
      Payments.LedgerCheck broken = server.candor().payments().verify();
      assertThat(broken.ok()).isFalse();
      assertThat(broken.totals()).containsExactly(Map.entry("EUR", 0L));
      Run posted = verify(config);
      assertThat(posted.exit()).as(posted.output()).isEqualTo(1);
      // Ana: 10,000 in, 2,500 + 700 + 900 out.
      assertThat(differences(posted))
          .containsExactlyInAnyOrder(
              "DIFFERENCE " + anaWallet + ": balance stored 5900, transfers say 5897",
              "DIFFERENCE " + boWallet + ": balance stored 2500, transfers say 2503");
      assertThat(posted.output()).contains("FAILED");

      sql(
          server,
          "UPDATE transfers SET posted_amount = posted_amount - 3 WHERE id = '" + paid + "'");
      Run restored = verify(config);
      assertThat(restored.exit()).as(restored.output()).isZero();
      assertThat(server.candor().payments().verify().ok()).isTrue();
    }
  }

  /** Runs {@code candor ledger verify} in this process on the server's data, as an operator. */
  private static Run verify(Config config) {
    List<String> args =
        new ArrayList<>(List.of("ledger", "verify", "--data-dir", config.dataDir().toString()));
    config.dbUrl().ifPresent(url -> args.addAll(List.of("--db-url", url)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    int exit;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      exit = new CommandLine(new CandorCommand()).execute(args.toArray(String[]::new));
    } finally {
      System.setOut(original);
    }
    return new Run(exit, out.toString(StandardCharsets.UTF_8));
  }

  private static List<String> differences(Run run) {
    return run.output().lines().filter(l -> l.startsWith("DIFFERENCE")).toList();
  }

  private static Http.Response transfer(
      Http http, String pay, String from, String to, long amount, String extra, String key) {
    return http.post(
        "/v1/transfers",
        pay,
        "{\"from\":\""
            + from
            + "\",\"to\":"
            + to
            + ",\"amount\":{\"amount\":"
            + amount
            + ",\"currency\":\"EUR\"},\"source\":\"wallet\""
            + extra
            + "}",
        "Idempotency-Key",
        key);
  }

  private static String expect201(Http.Response r) {
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return r.json().get("id").asText();
  }

  private static String accountOf(TestServer server, String kind, String owner) {
    return server
        .candor()
        .database()
        .<String, RuntimeException>withHandle(
            h ->
                h.createQuery("SELECT id FROM ledger_accounts WHERE kind = :k AND owner_id = :o")
                    .bind("k", kind)
                    .bind("o", owner)
                    .mapTo(String.class)
                    .one());
  }

  private static void sql(TestServer server, String update) {
    int changed =
        server
            .candor()
            .database()
            .<Integer, RuntimeException>inTransaction(h -> h.createUpdate(update).execute());
    assertThat(changed).as(update).isEqualTo(1);
  }
}
