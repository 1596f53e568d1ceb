package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.payment.Payments;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The payment routes over HTTP on both databases: cards and bank accounts checked and kept masked,
 * money that moves only between accounts, once per idempotency key, never below zero, holds that
 * settle once, a history with paging, and the ledger check after all of it.
 */
class PaymentsApiTest {

  static final String VISA = "4242424242424242";
  static final String IBAN = "DE89370400440532013000";

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server, a payments service, an operator-made merchant, and two people. */
  record World(TestServer server, Http http, String pay, String merchant, String ana, String bo)
      implements AutoCloseable {
    static World start(String kind, Path dir) {
      TestServer server = TestServer.start(kind, dir);
      String account = server.service("accounts", "account");
      String pay = server.service("pay", "payments", "safety");
      Http.Response m =
          server
              .http()
              .post(
                  "/v1/merchants",
                  TestServer.ADMIN_TOKEN,
                  "{\"name\":\"Corner Cafe\",\"category\":\"food\"}");
      assertThat(m.status()).as("%s", m).isEqualTo(201);
      return new World(
          server,
          server.http(),
          pay,
          m.json().get("id").asText(),
          server.person(account),
          server.person(account));
    }

    String card(String person, String number) {
      Http.Response r =
          http.post(
              "/v1/users/" + person + "/payment-methods",
              pay,
              "{\"type\":\"card\",\"card\":{\"number\":\""
                  + number
                  + "\",\"expMonth\":12,\"expYear\":2099,\"cvc\":\"123\",\"holderName\":\"Ana"
                  + " Example\"}}");
      assertThat(r.status()).as("%s", r).isEqualTo(201);
      return r.json().get("id").asText();
    }

    Http.Response topUp(String person, String method, long amount, String key) {
      return http.post(
          "/v1/users/" + person + "/wallet/top-ups",
          pay,
          "{\"paymentMethodId\":\""
              + method
              + "\",\"amount\":{\"amount\":"
              + amount
              + ",\"currency\":\"EUR\"}}",
          "Idempotency-Key",
          key);
    }

    Http.Response transfer(String body, String key) {
      return http.post("/v1/transfers", pay, body, "Idempotency-Key", key);
    }

    String toPerson(String from, String to, long amount, String extra) {
      return "{\"from\":\""
          + from
          + "\",\"to\":{\"userId\":\""
          + to
          + "\"},\"amount\":{\"amount\":"
          + amount
          + ",\"currency\":\"EUR\"},\"source\":\"wallet\""
          + extra
          + "}";
    }

    long balance(String person) {
      Http.Response r = http.get("/v1/users/" + person + "/wallet", pay);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      return r.json().get("balance").get("amount").asLong();
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void cards_and_bank_accounts_are_checked_kept_masked_and_never_keep_the_security_code(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String path = "/v1/users/" + w.ana() + "/payment-methods";
      Http.Response card =
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"card\",\"card\":{\"number\":\"4242 4242 4242 4242\",\"expMonth\":4,"
                      + "\"expYear\":2099,\"cvc\":\"987\",\"holderName\":\"Ana Example\"}}");
      assertThat(card.status()).as("%s", card).isEqualTo(201);
      JsonNode c = card.json().get("card");
      assertThat(c.get("brand").asText()).isEqualTo("visa");
      assertThat(c.get("last4").asText()).isEqualTo("4242");
      assertThat(card.text()).doesNotContain(VISA).doesNotContain("cvc");
      Http.Response bank =
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"bank_account\",\"bankAccount\":{\"iban\":\"DE89 3704 0044 0532 0130"
                      + " 00\",\"holderName\":\"Ana Example\"}}");
      assertThat(bank.status()).as("%s", bank).isEqualTo(201);
      assertThat(bank.json().get("bankAccount").get("country").asText()).isEqualTo("DE");
      assertThat(bank.json().get("bankAccount").get("last4").asText()).isEqualTo("3000");

      // The same card on another account has the same fingerprint; on the same account it is 409.
      String other = w.card(w.bo(), VISA);
      Http.Response list = w.http().get("/v1/users/" + w.bo() + "/payment-methods", w.pay());
      assertThat(list.json().get("paymentMethods").get(0).get("card").get("fingerprint").asText())
          .isEqualTo(c.get("fingerprint").asText());
      assertThat(other).startsWith("pm_");
      assertProblem(
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"card\",\"card\":{\"number\":\""
                      + VISA
                      + "\",\"expMonth\":4,"
                      + "\"expYear\":2099,\"cvc\":\"987\",\"holderName\":\"Ana Example\"}}"),
          409);

      // Bad input: each named, nothing stored.
      long before = rows(w.server(), "payment_methods");
      assertProblem(
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"card\",\"card\":{\"number\":\"4242424242424241\",\"expMonth\":13,"
                      + "\"expYear\":2020,\"cvc\":\"12a\",\"holderName\":\"\"}}"),
          400,
          "card.number",
          "card.expMonth",
          "card.cvc",
          "card.holderName");
      assertProblem(
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"card\",\"card\":{\"number\":\""
                      + VISA
                      + "\",\"expMonth\":1,"
                      + "\"expYear\":2020,\"cvc\":\"123\",\"holderName\":\"A\"}}"),
          400,
          "card.expYear");
      assertProblem(
          w.http()
              .post(
                  path,
                  w.pay(),
                  "{\"type\":\"bank_account\",\"bankAccount\":{\"iban\":\"DE89370400440532013001\","
                      + "\"holderName\":\"Ana\"}}"),
          400,
          "bankAccount.iban");
      assertProblem(w.http().post(path, w.pay(), "{\"type\":\"cash\"}"), 400, "type");
      assertThat(rows(w.server(), "payment_methods")).isEqualTo(before);

      // Removing: the person's own only.
      String id = card.json().get("id").asText();
      assertProblem(
          w.http().delete("/v1/users/" + w.bo() + "/payment-methods/" + id, w.pay()), 404);
      assertThat(w.http().delete(path + "/" + id, w.pay()).status()).isEqualTo(204);
      assertThat(w.http().get(path, w.pay()).json().get("paymentMethods")).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void money_moves_once_per_key_never_below_zero_and_the_ledger_adds_up(String kind) {
    try (World w = World.start(kind, dir)) {
      String card = w.card(w.ana(), VISA);
      Http.Response top = w.topUp(w.ana(), card, 10_000, "top-1");
      assertThat(top.status()).as("%s", top).isEqualTo(201);
      assertThat(top.json().get("status").asText()).isEqualTo("posted");
      assertThat(top.json().get("risk").get("score").asInt()).isBetween(0, 100);
      // The same key and body: the first answer again, no second top-up.
      Http.Response again = w.topUp(w.ana(), card, 10_000, "top-1");
      assertThat(again.status()).isEqualTo(201);
      assertThat(again.json().get("id").asText()).isEqualTo(top.json().get("id").asText());
      assertThat(w.balance(w.ana())).isEqualTo(10_000);
      // The same key with another body: 422, nothing moved.
      assertProblem(w.topUp(w.ana(), card, 20_000, "top-1"), 422);
      assertProblem(
          w.http()
              .post(
                  "/v1/users/" + w.ana() + "/wallet/top-ups",
                  w.pay(),
                  "{\"paymentMethodId\":\""
                      + card
                      + "\",\"amount\":{\"amount\":5,\"currency\":\"EUR\"}}"),
          400,
          "Idempotency-Key");

      Http.Response paid =
          w.transfer(w.toPerson(w.ana(), w.bo(), 2_500, ",\"note\":\"lunch\""), "t1");
      assertThat(paid.status()).as("%s", paid).isEqualTo(201);
      assertThat(paid.json().get("to").get("userId").asText()).isEqualTo(w.bo());
      assertThat(w.balance(w.ana())).isEqualTo(7_500);
      assertThat(w.balance(w.bo())).isEqualTo(2_500);

      // Not enough money: 402 and nothing written, key included (a retry may succeed later).
      long transfers = rows(w.server(), "transfers");
      assertProblem(w.transfer(w.toPerson(w.ana(), w.bo(), 7_501, ""), "t2"), 402);
      assertThat(rows(w.server(), "transfers")).isEqualTo(transfers);
      assertThat(rows(w.server(), "idempotency_keys")).isEqualTo(2);

      // Bad amounts and accounts, each named.
      assertProblem(
          w.transfer(
              w.toPerson(w.ana(), w.bo(), 0, "").replace("\"amount\":0", "\"amount\":12.5"), "b1"),
          400,
          "amount.amount");
      assertProblem(w.transfer(w.toPerson(w.ana(), w.bo(), -5, ""), "b2"), 400, "amount.amount");
      assertProblem(
          w.transfer(w.toPerson(w.ana(), w.bo(), 5, "").replace("EUR", "USD"), "b3"),
          400,
          "amount.currency");
      assertProblem(
          w.transfer(w.toPerson(w.ana(), UUID.randomUUID().toString(), 5, ""), "b4"),
          400,
          "to.userId");
      assertProblem(
          w.transfer(
              "{\"from\":\""
                  + w.ana()
                  + "\",\"to\":{\"merchantId\":\"mer_nope\"},\"amount\":{\"amount\":5,"
                  + "\"currency\":\"EUR\"},\"source\":\"wallet\"}",
              "b5"),
          400,
          "to.merchantId");
      assertThat(rows(w.server(), "transfers")).isEqualTo(transfers);

      // To a merchant, paid by card: a top-up leg and the payment, in one transaction.
      Http.Response shop =
          w.transfer(
              "{\"from\":\""
                  + w.ana()
                  + "\",\"to\":{\"merchantId\":\""
                  + w.merchant()
                  + "\"},\"amount\":{\"amount\":1200,\"currency\":\"EUR\"},\"source\":\""
                  + card
                  + "\"}",
              "t3");
      assertThat(shop.status()).as("%s", shop).isEqualTo(201);
      assertThat(w.balance(w.ana())).isEqualTo(7_500);

      // Pay-out.
      Http.Response out =
          w.http()
              .post(
                  "/v1/users/" + w.bo() + "/wallet/pay-outs",
                  w.pay(),
                  "{\"paymentMethodId\":\""
                      + w.card(w.bo(), "5555555555554444")
                      + "\",\"amount\":{\"amount\":500,\"currency\":\"EUR\"}}",
                  "Idempotency-Key",
                  "p1");
      assertThat(out.status()).as("%s", out).isEqualTo(201);
      assertThat(w.balance(w.bo())).isEqualTo(2_000);

      // The history, newest first, a page at a time.
      List<String> seen = new ArrayList<>();
      String cursor = null;
      do {
        Http.Response page =
            w.http()
                .get(
                    "/v1/users/"
                        + w.ana()
                        + "/transactions?limit=2"
                        + (cursor == null ? "" : "&cursor=" + cursor),
                    w.pay());
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        for (JsonNode t : page.json().get("transactions")) {
          seen.add(
              t.get("direction").asText()
                  + " "
                  + t.get("amount").get("amount").asLong()
                  + " "
                  + t.get("counterparty").get("name").asText());
        }
        cursor =
            page.json().get("nextCursor").isNull() ? null : page.json().get("nextCursor").asText();
      } while (cursor != null);
      assertThat(seen)
          .containsExactly(
              "out 1200 Corner Cafe",
              "in 1200 Visa •••• 4242",
              "out 2500 Ana Example 2",
              "in 10000 Visa •••• 4242");
      assertProblem(
          w.http().get("/v1/users/" + w.ana() + "/transactions?cursor=not-a-cursor", w.pay()), 400);

      Payments.LedgerCheck check = w.server().candor().payments().verify();
      assertThat(check.ok()).as("%s", check).isTrue();
      assertThat(check.totals()).containsEntry("EUR", 0L);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_hold_settles_once_by_capture_or_void_and_the_person_is_erased_only_at_zero(String kind) {
    try (World w = World.start(kind, dir)) {
      String card = w.card(w.ana(), VISA);
      w.topUp(w.ana(), card, 5_000, "top");
      Http.Response held =
          w.transfer(
              w.toPerson(w.ana(), w.bo(), 3_000, ",\"hold\":{\"timeoutSeconds\":600}"), "h1");
      assertThat(held.json().get("status").asText()).isEqualTo("held");
      assertThat(w.balance(w.ana())).isEqualTo(2_000);
      // More than is free now: 402.
      assertProblem(w.transfer(w.toPerson(w.ana(), w.bo(), 2_001, ""), "h2"), 402);
      String id = held.json().get("id").asText();
      assertProblem(
          w.http().post("/v1/transfers/" + id + "/capture", w.pay(), "{\"amount\":3001}"), 400);
      assertProblem(
          w.http().post("/v1/transfers/" + id + "/capture", w.pay(), "{\"amount\":\"all\"}"),
          400,
          "amount");
      assertProblem(
          w.http().post("/v1/transfers/" + id + "/capture", w.pay(), "{\"amount\":1,\"x\":2}"),
          400,
          "x");
      assertProblem(
          w.transfer(
              w.toPerson(w.ana(), w.bo(), 10, ",\"note\":\"" + "n".repeat(501) + "\""), "long"),
          400,
          "note");
      assertProblem(
          w.transfer(w.toPerson(w.ana(), w.bo(), 10, ",\"hold\":{\"timeoutSeconds\":0}"), "h0"),
          400,
          "hold.timeoutSeconds");
      Http.Response captured =
          w.http().post("/v1/transfers/" + id + "/capture", w.pay(), "{\"amount\":2000}");
      assertThat(captured.status()).as("%s", captured).isEqualTo(200);
      assertThat(captured.json().get("status").asText()).isEqualTo("posted");
      assertThat(w.balance(w.ana())).isEqualTo(3_000);
      assertThat(w.balance(w.bo())).isEqualTo(2_000);
      assertProblem(w.http().post("/v1/transfers/" + id + "/capture", w.pay(), null), 409);
      assertProblem(w.http().post("/v1/transfers/" + id + "/void", w.pay(), null), 409);

      Http.Response second =
          w.transfer(
              w.toPerson(w.ana(), w.bo(), 1_000, ",\"hold\":{\"timeoutSeconds\":600}"), "h3");
      String id2 = second.json().get("id").asText();
      assertThat(w.http().post("/v1/transfers/" + id2 + "/void", w.pay(), null).status())
          .isEqualTo(200);
      assertThat(w.balance(w.ana())).isEqualTo(3_000);
      assertProblem(w.http().post("/v1/transfers/tr_nope/void", w.pay(), null), 404);

      // The payer's service reads it as it stands now.
      assertThat(
              w.http()
                  .get("/v1/transfers/" + id, w.pay())
                  .json()
                  .get("capturedAmount")
                  .get("amount")
                  .asLong())
          .isEqualTo(2_000);

      // Erasure waits for the wallet to be empty.
      assertProblem(w.http().delete("/v1/users/" + w.ana(), TestServer.ADMIN_TOKEN), 409);
      assertThat(
              w.http()
                  .post(
                      "/v1/users/" + w.ana() + "/wallet/pay-outs",
                      w.pay(),
                      "{\"paymentMethodId\":\""
                          + card
                          + "\",\"amount\":{\"amount\":3000,"
                          + "\"currency\":\"EUR\"}}",
                      "Idempotency-Key",
                      "out")
                  .status())
          .isEqualTo(201);
      assertThat(w.http().delete("/v1/users/" + w.ana(), TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);
      // Bo's history keeps the amounts, with Ana as "erased account".
      JsonNode bo = w.http().get("/v1/users/" + w.bo() + "/transactions", w.pay()).json();
      List<String> lines = new ArrayList<>();
      for (JsonNode t : bo.get("transactions")) {
        lines.add(
            t.get("status").asText()
                + " "
                + t.get("amount").get("amount").asLong()
                + " "
                + t.get("counterparty").get("name").asText());
      }
      assertThat(lines).containsExactly("voided 1000 erased account", "posted 2000 erased account");
      assertThat(w.server().candor().payments().verify().ok()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_payment_from_a_card_added_minutes_ago_to_a_brand_new_account_is_scored_with_its_reasons(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String card = w.card(w.ana(), VISA);
      Http.Response r =
          w.transfer(
              "{\"from\":\""
                  + w.ana()
                  + "\",\"to\":{\"userId\":\""
                  + w.bo()
                  + "\"},\"amount\":{\"amount\":90000,\"currency\":\"EUR\"},\"source\":\""
                  + card
                  + "\"}",
              "risky");
      assertThat(r.status()).as("%s", r).isEqualTo(201);
      JsonNode risk = r.json().get("risk");
      List<String> codes = new ArrayList<>();
      risk.get("reasons").forEach(x -> codes.add(x.get("code").asText()));
      assertThat(codes).as("%s", risk).contains("new_payment_method", "new_recipient");
      risk.get("reasons").forEach(x -> assertThat(x.get("detail").asText()).isNotBlank());
      assertThat(risk.get("score").asInt()).isGreaterThanOrEqualTo(30);
      String decision = risk.get("decision").asText();
      assertThat(decision).isIn("review", "decline");
      // What the answer said is what the person's report shows, and a decline moved nothing.
      JsonNode report =
          w.http().get("/v1/users/" + w.ana() + "/data", TestServer.ADMIN_TOKEN).json();
      assertThat(report.toString()).contains("new_payment_method");
      if (decision.equals("decline")) {
        assertThat(r.json().get("status").asText()).isEqualTo("declined");
        assertThat(w.balance(w.bo())).isZero();
      } else {
        assertThat(w.balance(w.bo())).isEqualTo(90_000);
      }
      assertThat(w.server().candor().payments().verify().ok()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_payment_far_from_where_the_payer_usually_is_counts_only_with_location_consent(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String maps = w.server().service("maps", "location");
      String account = w.server().service("consents", "account");
      for (String person : List.of(w.ana(), w.bo())) {
        String card = w.card(person, person.equals(w.ana()) ? VISA : "5555555555554444");
        assertThat(w.topUp(person, card, 20_000, "fund-" + person).status()).isEqualTo(201);
      }
      // Ana allows location: a week in Paris, then today in Tokyo (days apart: plausible travel).
      assertThat(
              w.http()
                  .put(
                      "/v1/users/" + w.ana() + "/consents/location",
                      account,
                      "{\"granted\":true,\"level\":\"precise\"}")
                  .status())
          .isEqualTo(200);
      java.time.Instant now = java.time.Instant.now();
      for (int day = 7; day >= 2; day--) {
        position(w, maps, w.ana(), 48.8566, 2.3522, now.minus(java.time.Duration.ofDays(day)));
      }
      position(w, maps, w.ana(), 35.6762, 139.6503, now.minusSeconds(60));
      Http.Response far = w.transfer(w.toPerson(w.ana(), w.bo(), 1_500, ""), "far");
      assertThat(far.status()).as("%s", far).isEqualTo(201);
      assertThat(codes(far)).as("%s", far.json().get("risk")).contains("far_from_usual");
      // The fraud check's read of her location is in her access log, for safety.
      JsonNode log =
          w.http().get("/v1/users/" + w.ana() + "/access-log", TestServer.ADMIN_TOKEN).json();
      assertThat(log.toString()).contains("safety").contains("location.history");

      // Bo has positions sent for him too, but never allowed location: nothing is read or used.
      Http.Response home = w.transfer(w.toPerson(w.bo(), w.ana(), 1_500, ""), "home");
      assertThat(home.status()).as("%s", home).isEqualTo(201);
      assertThat(codes(home)).doesNotContain("far_from_usual");
      JsonNode boLog =
          w.http().get("/v1/users/" + w.bo() + "/access-log", TestServer.ADMIN_TOKEN).json();
      assertThat(boLog.toString()).doesNotContain("location.history");
    }
  }

  private static void position(
      World w, String key, String person, double lat, double lon, java.time.Instant at) {
    Http.Response r =
        w.http()
            .post(
                "/v1/users/" + person + "/locations",
                key,
                String.format(
                    java.util.Locale.ROOT,
                    "{\"lat\":%.4f,\"lon\":%.4f,\"accuracyM\":10,\"timestamp\":\"%s\"}",
                    lat,
                    lon,
                    at));
    assertThat(r.status()).as("%s", r).isEqualTo(202);
  }

  private static List<String> codes(Http.Response transfer) {
    List<String> codes = new ArrayList<>();
    transfer.json().get("risk").get("reasons").forEach(x -> codes.add(x.get("code").asText()));
    return codes;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_declined_top_up_moves_nothing_and_shows_as_a_declined_payment_in(String kind) {
    try (World w = World.start(kind, dir)) {
      String card = w.card(w.ana(), VISA);
      // A first top-up of 10,000 EUR from a card added a moment ago.
      Http.Response r = w.topUp(w.ana(), card, 1_000_000, "big");
      assertThat(r.status()).as("%s", r).isEqualTo(201);
      assertThat(r.json().get("status").asText()).isEqualTo("declined");
      assertThat(r.json().get("risk").get("decision").asText()).isEqualTo("decline");
      assertThat(codes(r)).isNotEmpty();
      assertThat(w.balance(w.ana())).isZero();
      JsonNode t =
          w.http()
              .get("/v1/users/" + w.ana() + "/transactions", w.pay())
              .json()
              .get("transactions")
              .get(0);
      assertThat(t.get("direction").asText()).isEqualTo("in");
      assertThat(t.get("status").asText()).isEqualTo("declined");
      assertThat(t.get("counterparty").get("name").asText()).isEqualTo("Visa •••• 4242");
      assertThat(w.server().candor().payments().verify().ok()).isTrue();
    }
  }
}
