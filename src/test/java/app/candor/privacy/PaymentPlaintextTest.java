package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.testing.AtRest;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Card data at rest: the full card number, the security code, the IBAN, the holder's name and the
 * payment note are in no database file (SQLite: main, WAL, shared memory; PostgreSQL: a pg_dump of
 * the schema) and no export; the security code is nowhere at all. After the person pays out and is
 * erased, none of them, nor the person's id, is left in the files.
 */
class PaymentPlaintextTest {

  private static final String NUMBER = "4000056655665556";
  private static final String CVC = "7319";
  private static final String IBAN = "GB82WEST12345698765432";
  private static final String HOLDER = "Oriel Vantablack";
  private static final String NOTE = "rent for the quincunx flat";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void no_card_number_security_code_iban_or_holder_is_readable_at_rest_or_in_the_export(String kind)
      throws Exception {
    try (TestServer server =
        TestServer.of(Candor.withOutbox(TestDatabases.config(kind, dir.resolve("data"))))) {
      Http http = server.http();
      String account = server.service("accounts", "account");
      String pay = server.service("pay", "payments");
      String ana = server.person(account);
      String bo = server.person(account);
      Http.Response card =
          http.post(
              "/v1/users/" + ana + "/payment-methods",
              pay,
              "{\"type\":\"card\",\"card\":{\"number\":\""
                  + NUMBER
                  + "\",\"expMonth\":11,\"expYear\":2031,\"cvc\":\""
                  + CVC
                  + "\",\"holderName\":\""
                  + HOLDER
                  + "\"}}");
      assertThat(card.status()).as("%s", card).isEqualTo(201);
      Http.Response bank =
          http.post(
              "/v1/users/" + ana + "/payment-methods",
              pay,
              "{\"type\":\"bank_account\",\"bankAccount\":{\"iban\":\""
                  + IBAN
                  + "\",\"holderName\":\""
                  + HOLDER
                  + "\"}}");
      assertThat(bank.status()).as("%s", bank).isEqualTo(201);
      String cardId = card.json().get("id").asText();
      String bankId = bank.json().get("id").asText();
      assertThat(
              http.post(
                      "/v1/users/" + ana + "/wallet/top-ups",
                      pay,
                      "{\"paymentMethodId\":\""
                          + cardId
                          + "\",\"amount\":{\"amount\":5000,\"currency\":\"EUR\"}}",
                      "Idempotency-Key",
                      "k1")
                  .status())
          .isEqualTo(201);
      assertThat(
              http.post(
                      "/v1/transfers",
                      pay,
                      "{\"from\":\""
                          + ana
                          + "\",\"to\":{\"userId\":\""
                          + bo
                          + "\"},\"amount\":{\"amount\":1000,\"currency\":\"EUR\"},"
                          + "\"source\":\"wallet\",\"note\":\""
                          + NOTE
                          + "\"}",
                      "Idempotency-Key",
                      "k2")
                  .status())
          .isEqualTo(201);

      List<String> secrets = List.of(NUMBER, IBAN, HOLDER, NOTE, "vantablack");
      assertThat(AtRest.found(server, dir, secrets)).as("plaintext at rest").isEmpty();
      assertThat(AtRest.found(server, dir, List.of(CVC)))
          .as("the security code anywhere")
          .isEmpty();

      Http.Response export = http.get("/v1/users/" + ana + "/export", TestServer.ADMIN_TOKEN);
      assertThat(export.status()).isEqualTo(200);
      String exported = unzip(export.body());
      assertThat(exported).doesNotContain(NUMBER).doesNotContain(IBAN);
      assertThat(
              AtRest.indexOf(
                  exported.getBytes(StandardCharsets.UTF_8), CVC.getBytes(StandardCharsets.UTF_8)))
          .as("the security code in the export")
          .isNegative();
      assertThat(exported).contains("payment.methods").contains("transactions");

      // Pay out, then erase: nothing of Ana is left, though Bo's history keeps the amount.
      assertThat(
              http.post(
                      "/v1/users/" + ana + "/wallet/pay-outs",
                      pay,
                      "{\"paymentMethodId\":\""
                          + bankId
                          + "\",\"amount\":{\"amount\":4000,\"currency\":\"EUR\"}}",
                      "Idempotency-Key",
                      "k3")
                  .status())
          .isEqualTo(201);
      assertThat(http.delete("/v1/users/" + ana, TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
      server.candor().database().flushErasedPages();
      List<String> traces = new ArrayList<>(secrets);
      traces.add(ana);
      traces.add(cardId);
      assertThat(AtRest.found(server, dir, traces)).as("traces after erasure").isEmpty();
      assertThat(server.candor().payments().verify().ok()).isTrue();
    }
  }

  private static String unzip(byte[] zip) throws IOException {
    StringBuilder out = new StringBuilder();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        out.append(e.getName()).append('\n');
        out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      }
    }
    return out.toString();
  }
}
