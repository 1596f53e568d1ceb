package app.candor.http;

import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.core.json.Json;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Codes by SMS go to the operator's webhook as a signed JSON {@code {to, body}}: a real HTTP
 * receiver in this test checks the signature as the README tells receivers to, and the code it got
 * signs the person in.
 */
class SmsSignInTest {
  private static final String SECRET = "webhook-secret-0123456789";
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** What the receiver got, and whether its signature was right. */
  private record Received(
      String method, String contentType, boolean signedRight, long ageSeconds, JsonNode body) {}

  /** An SMS provider's webhook: checks each request's signature, then answers {@code status}. */
  private static final class Receiver implements AutoCloseable {
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final HttpServer server;

    Receiver(int status) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/sms", exchange -> handle(exchange, status));
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/sms";
    }

    private void handle(HttpExchange exchange, int status) throws IOException {
      byte[] raw = exchange.getRequestBody().readAllBytes();
      String header = exchange.getRequestHeaders().getFirst("Candor-Signature");
      Matcher m = SIGNATURE.matcher(header == null ? "" : header);
      boolean right = false;
      long age = Long.MAX_VALUE;
      if (m.matches()) {
        String signed = m.group(1) + "." + new String(raw, StandardCharsets.UTF_8);
        right =
            MessageDigest.isEqual(
                hmac(signed).getBytes(StandardCharsets.US_ASCII),
                m.group(2).getBytes(StandardCharsets.US_ASCII));
        age = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(m.group(1)));
      }
      received.add(
          new Received(
              exchange.getRequestMethod(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              right,
              age,
              Json.mapper().readTree(raw)));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    Received next() throws InterruptedException {
      Received r = received.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a request reached the webhook").isNotNull();
      return r;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static String hmac(String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Candor as serve builds it (no outbox), sending SMS through the receiver. */
  private static Candor withWebhook(String kind, Path dir, Receiver receiver) {
    return Candor.open(
        TestDatabases.config(kind, dir)
            .withDelivery(
                new Config.Delivery(
                    Optional.empty(),
                    "no-reply@candor.test",
                    Optional.of(receiver.url()),
                    Optional.of(SECRET),
                    Optional.empty())));
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_code_reaches_the_webhook_signed_and_signs_the_person_in(String kind) throws Exception {
    try (Receiver receiver = new Receiver(204);
        TestServer server = TestServer.of(withWebhook(kind, dir, receiver))) {
      Http http = server.http();
      String key = server.service("chat", "account");
      String id =
          server.personFrom(key, json(Map.of("name", "Ana Sms", "phone", "+4915112345678")));

      Http.Response started =
          http.post("/v1/auth/otp", null, json(Map.of("channel", "sms", "to", "+49 151 12345678")));
      assertThat(started.status()).as("%s", started).isEqualTo(202);

      Received sms = receiver.next();
      assertThat(sms.method()).isEqualTo("POST");
      assertThat(sms.contentType()).isEqualTo("application/json");
      assertThat(sms.signedRight()).as("the signature checks out").isTrue();
      assertThat(sms.ageSeconds()).as("the timestamp is now").isLessThan(60);
      List<String> fields = new java.util.ArrayList<>();
      sms.body().fieldNames().forEachRemaining(fields::add);
      assertThat(fields).containsExactly("to", "body");
      assertThat(sms.body().get("to").asText()).isEqualTo("+4915112345678");
      Matcher code = CODE.matcher(sms.body().get("body").asText());
      assertThat(code.find()).isTrue();

      Http.Response verified = HttpTesting.verify(http, started, code.group(1));
      assertThat(verified.status()).as("%s", verified).isEqualTo(200);
      assertThat(verified.json().get("userId").asText()).isEqualTo(id);
      assertThat(
              http.get("/v1/users/" + id, verified.json().get("token").asText())
                  .json()
                  .get("phoneVerified")
                  .isTextual())
          .isTrue();
    }
  }

  @Test
  void a_webhook_that_fails_changes_nothing_for_the_caller() throws Exception {
    try (Receiver receiver = new Receiver(500);
        TestServer server = TestServer.of(withWebhook(TestDatabases.SQLITE, dir, receiver))) {
      String key = server.service("chat", "account");
      server.personFrom(key, json(Map.of("name", "Ana Sms", "phone", "+4915112345678")));
      Http.Response started =
          server
              .http()
              .post("/v1/auth/otp", null, json(Map.of("channel", "sms", "to", "+4915112345678")));
      assertThat(started.status()).as("%s", started).isEqualTo(202);
      assertThat(receiver.next().signedRight()).isTrue();
      // The server is still well: the next request is answered as usual.
      assertThat(server.http().get("/health/ready", null).status()).isEqualTo(200);
    }
  }

  @Test
  void an_unknown_number_gets_the_same_answer_and_no_sms() throws Exception {
    try (Receiver receiver = new Receiver(204);
        TestServer server = TestServer.of(withWebhook(TestDatabases.SQLITE, dir, receiver))) {
      Http.Response unknown =
          server
              .http()
              .post("/v1/auth/otp", null, json(Map.of("channel", "sms", "to", "+4915100000000")));
      assertThat(unknown.status()).as("%s", unknown).isEqualTo(202);
      assertThat(receiver.received.poll(1, TimeUnit.SECONDS)).isNull();
    }
  }
}
