package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
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
      assertThat(found(server, secrets)).as("plaintext at rest").isEmpty();
      assertThat(found(server, List.of(CVC))).as("the security code anywhere").isEmpty();

      Http.Response export = http.get("/v1/users/" + ana + "/export", TestServer.ADMIN_TOKEN);
      assertThat(export.status()).isEqualTo(200);
      String exported = unzip(export.body());
      assertThat(exported).doesNotContain(NUMBER).doesNotContain(IBAN);
      assertThat(
              indexOf(
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
      assertThat(found(server, traces)).as("traces after erasure").isEmpty();
      assertThat(server.candor().payments().verify().ok()).isTrue();
    }
  }

  /**
   * Which of {@code needles} are at rest: in any file of the data directory (the SQLite database,
   * its WAL and shared memory, the keys), or, on PostgreSQL, in a {@code pg_dump} of the schema.
   */
  private List<String> found(TestServer server, List<String> needles) throws Exception {
    Optional<String> url = server.candor().config().dbUrl();
    if (url.isEmpty()) {
      return found(dir, needles);
    }
    URI uri = URI.create(url.get().substring("jdbc:".length()));
    String schema = "";
    String user = "postgres";
    for (String kv : uri.getQuery().split("&")) {
      if (kv.startsWith("currentSchema=")) {
        schema = kv.substring("currentSchema=".length());
      } else if (kv.startsWith("user=")) {
        user = kv.substring("user=".length());
      }
    }
    Process dump =
        new ProcessBuilder(
                "pg_dump",
                "-h",
                uri.getHost(),
                "-p",
                Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()),
                "-U",
                user,
                "-n",
                schema,
                uri.getPath().substring(1))
            .redirectErrorStream(true)
            .start();
    byte[] out = dump.getInputStream().readAllBytes();
    assertThat(dump.waitFor()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    assertThat(new String(out, StandardCharsets.UTF_8))
        .contains("CREATE TABLE " + schema + ".transfers");
    List<String> hits = new ArrayList<>();
    for (String n : needles) {
      if (indexOf(out, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
        hits.add(n + " in the pg_dump of " + schema);
      }
    }
    return hits;
  }

  /** Which of {@code needles} appear in any file under {@code root}. */
  private static List<String> found(Path root, List<String> needles) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        for (String n : needles) {
          if (indexOf(bytes, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
            hits.add(n + " in " + root.relativize(f));
          }
        }
      }
    }
    return hits;
  }

  /**
   * Where {@code needle} first occurs in {@code haystack}; a needle of digits only counts as a
   * token of its own (no hex digit either side), or a four-digit security code would be found by
   * chance inside the many timestamps and ids of a database file, none of which is the code.
   */
  private static int indexOf(byte[] haystack, byte[] needle) {
    boolean digits = new String(needle, StandardCharsets.UTF_8).matches("[0-9]+");
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (digits
          && ((i > 0 && isHex(haystack[i - 1]))
              || (i + needle.length < haystack.length && isHex(haystack[i + needle.length])))) {
        continue;
      }
      return i;
    }
    return -1;
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
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
