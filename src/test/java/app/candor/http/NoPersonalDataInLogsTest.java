package app.candor.http;

import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Personal data and secrets never reach a log line, nor the console. */
class NoPersonalDataInLogsTest {
  private static final String NAME = "Zelda Quixote-Marlowe";
  private static final String PHONE = "+4915155501234";
  private static final String EMAIL = "zelda.quixote@example.org";
  private static final String OCCUPATION = "lighthouse keeper";
  private static final String NEW_OCCUPATION = "cartographer of tides";
  private static final String CARD = "4000002760003184";
  private static final String BAD_CARD = "4000002760003185";
  private static final String BAD_IBAN = "DE89370400440532013001";
  private static final String NOTE = "for the quayside oysters";
  private static final String MESSAGE = "meet me by the periwinkle lighthouse";
  private static final String SPAM_TEXT =
      "CONGRATULATIONS!!! You won a FREE $1000 gift card, claim it at http://prize.example.com";
  private static final String GROUP_TITLE = "Saltmarsh Rowing Club";

  @TempDir Path dir;

  /** Everything logged (at the configured levels, our own code at every level) and printed. */
  private static final class Capture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Logger ours = (Logger) LoggerFactory.getLogger("app.candor");
    private final Level oursBefore = ours.getLevel();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Capture() {
      appender.start();
      root.addAppender(appender);
      ours.setLevel(Level.TRACE);
      System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
    }

    private OutputStream tee(OutputStream original) {
      return new OutputStream() {
        @Override
        public void write(int b) {
          synchronized (printed) {
            printed.write(b);
          }
          try {
            original.write(b);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      };
    }

    String text() {
      StringBuilder all = new StringBuilder();
      synchronized (appender.list) {
        for (ILoggingEvent e : new ArrayList<>(appender.list)) {
          all.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage()).append('\n');
          if (e.getThrowableProxy() != null) {
            all.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
          }
          e.getMDCPropertyMap().forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
        }
      }
      synchronized (printed) {
        all.append(printed.toString(StandardCharsets.UTF_8));
      }
      return all.toString();
    }

    /** Waits until {@code line} was logged: the request log is written after the response. */
    String awaiting(String line) throws InterruptedException {
      for (int i = 0; i < 100 && !text().contains(line); i++) {
        Thread.sleep(20);
      }
      return text();
    }

    @Override
    public void close() {
      System.setOut(out);
      System.setErr(err);
      ours.setLevel(oursBefore);
      root.detachAppender(appender);
      appender.stop();
    }
  }

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_person_created_read_changed_and_erased_leaves_no_trace_in_the_logs(String kind)
      throws InterruptedException {
    List<String> secrets = new ArrayList<>();
    String text;
    try (Capture capture = new Capture();
        TestServer server = TestServer.start(kind, dir)) {
      Http http = server.http();
      String key = server.service("chat", "account", "messaging");
      Map<String, String> person = new LinkedHashMap<>();
      person.put("name", NAME);
      person.put("phone", PHONE);
      person.put("email", EMAIL);
      person.put("birthDate", "1987-11-23");
      person.put("gender", "nonbinary");
      person.put("occupation", OCCUPATION);
      Http.Response created = http.post("/v1/users", key, json(person));
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      String id = created.json().get("id").asText();

      // Reads, sign-in, a change, consents.
      assertThat(http.get("/v1/users/" + id, key, "Candor-Purpose", "account").status())
          .isEqualTo(200);
      Http.Response started =
          http.post("/v1/auth/otp", null, json(Map.of("channel", "email", "to", EMAIL)));
      String code = server.latestCode(EMAIL);
      Http.Response verified =
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(
                  Map.of(
                      "verificationId",
                      started.json().get("verificationId").asText(),
                      "code",
                      code)));
      assertThat(verified.status()).as("%s", verified).isEqualTo(200);
      String token = verified.json().get("token").asText();
      assertThat(
              http.patch("/v1/users/" + id, token, json(Map.of("occupation", NEW_OCCUPATION)))
                  .status())
          .isEqualTo(200);
      assertThat(
              http.put("/v1/users/" + id + "/consents/analytics", token, "{\"granted\":true}")
                  .status())
          .isEqualTo(200);

      // Mistakes that carry personal data in the request.
      http.post("/v1/users", key, json(person)); // 409: already registered
      http.post("/v1/users", key, "{\"name\":\"" + NAME + "\",\"email\":\"" + NAME + "@\"}");
      http.post("/v1/users", key, "{\"name\":\"" + NAME + "\",\"phone\":\"" + PHONE + "x\"");
      http.post("/v1/users", key, json(person), "Content-Type", "text/plain");
      http.post("/v1/auth/otp", null, json(Map.of("channel", "sms", "to", EMAIL)));
      http.post("/v1/auth/otp/verify", null, json(Map.of("verificationId", id, "code", "000000")));
      http.get("/v1/users/" + id, key, "Candor-Purpose", NAME);
      http.get("/v1/users/" + EMAIL.replace("@", "%40"), token);
      http.get("/v1/nothing/" + PHONE, token);

      // Payments: a card (and one with a wrong check digit), a bank account with a bad IBAN, a
      // top-up, a payment with a note, one the wallet cannot cover, and the pay-out before erasure.
      String pay = server.service("pay", "payments");
      String other = server.person(key);
      Http.Response card =
          http.post(
              "/v1/users/" + id + "/payment-methods",
              pay,
              "{\"type\":\"card\",\"card\":{\"number\":\""
                  + CARD
                  + "\",\"expMonth\":9,\"expYear\":2031,\"cvc\":\"123\",\"holderName\":\""
                  + NAME
                  + "\"}}");
      assertThat(card.status()).as("%s", card).isEqualTo(201);
      String method = card.json().get("id").asText();
      http.post(
          "/v1/users/" + id + "/payment-methods",
          pay,
          "{\"type\":\"card\",\"card\":{\"number\":\""
              + BAD_CARD
              + "\",\"expMonth\":9,\"expYear\":2031,\"cvc\":\"123\",\"holderName\":\"x\"}}");
      http.post(
          "/v1/users/" + id + "/payment-methods",
          pay,
          "{\"type\":\"bank_account\",\"bankAccount\":{\"iban\":\""
              + BAD_IBAN
              + "\",\"holderName\":\""
              + NAME
              + "\"}}");
      String topUp =
          "{\"paymentMethodId\":\""
              + method
              + "\",\"amount\":{\"amount\":5000,\"currency\":\"EUR\"}}";
      assertThat(
              http.post("/v1/users/" + id + "/wallet/top-ups", pay, topUp, "Idempotency-Key", "t")
                  .status())
          .isEqualTo(201);
      String transfer =
          "{\"from\":\""
              + id
              + "\",\"to\":{\"userId\":\""
              + other
              + "\"},\"amount\":{\"amount\":%d,\"currency\":\"EUR\"},\"source\":\"wallet\","
              + "\"note\":\""
              + NOTE
              + "\"}";
      assertThat(
              http.post("/v1/transfers", pay, String.format(transfer, 1000), "Idempotency-Key", "p")
                  .status())
          .isEqualTo(201);
      http.post("/v1/transfers", pay, String.format(transfer, 99_999), "Idempotency-Key", "q");
      assertThat(
              http.post(
                      "/v1/users/" + id + "/wallet/pay-outs",
                      pay,
                      topUp.replace("5000", "4000"),
                      "Idempotency-Key",
                      "o")
                  .status())
          .isEqualTo(201);

      // Communication: a group with a title, a message, one judged spam, a bad one, a call.
      String chat = server.service("messenger", "messaging", "safety");
      String friend = server.person(key);
      String group =
          http.post(
                  "/v1/conversations",
                  chat,
                  "{\"type\":\"group\",\"members\":[\""
                      + id
                      + "\",\""
                      + friend
                      + "\"],\"title\":\""
                      + GROUP_TITLE
                      + "\"}")
              .json()
              .get("id")
              .asText();
      for (String said : List.of(MESSAGE, SPAM_TEXT)) {
        assertThat(
                http.post(
                        "/v1/conversations/" + group + "/messages",
                        chat,
                        "{\"from\":\""
                            + id
                            + "\",\"clientMessageId\":\""
                            + said.hashCode()
                            + "\",\"kind\":\"text\",\"text\":\""
                            + said
                            + "\"}")
                    .status())
            .isEqualTo(201);
      }
      assertThat(
              http.post(
                      "/v1/conversations/" + group + "/messages",
                      chat,
                      "{\"from\":\""
                          + id
                          + "\",\"clientMessageId\":\"bad\",\"kind\":\"sticker\","
                          + "\"text\":\""
                          + MESSAGE
                          + "\"}")
                  .status())
          .isEqualTo(400);
      assertThat(
              http.get("/v1/conversations/" + group + "/messages?userId=" + friend, chat).status())
          .isEqualTo(200);
      assertThat(http.get("/v1/admin/spam-queue", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
      assertThat(http.post("/v1/spam/classify", chat, "{\"text\":\"" + MESSAGE + "\"}").status())
          .isEqualTo(200);

      // What is held, the export, erasure.
      assertThat(http.get("/v1/users/" + id + "/data", token).status()).isEqualTo(200);
      assertThat(http.get("/v1/users/" + id + "/export", token).status()).isEqualTo(200);
      assertThat(http.get("/v1/users/" + id + "/access-log", token).status()).isEqualTo(200);
      assertThat(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN).status()).isEqualTo(200);
      assertThat(http.delete("/v1/users/" + id, token).status()).isEqualTo(200);

      secrets.addAll(
          List.of(
              NAME,
              "Zelda",
              "Quixote",
              PHONE,
              PHONE.substring(1),
              "155501234",
              EMAIL,
              "zelda.quixote",
              "1987-11-23",
              "nonbinary",
              OCCUPATION,
              NEW_OCCUPATION,
              code,
              token,
              key,
              pay,
              CARD,
              BAD_CARD,
              BAD_IBAN,
              NOTE,
              MESSAGE,
              SPAM_TEXT,
              GROUP_TITLE,
              chat,
              TestServer.ADMIN_TOKEN));
      text = capture.awaiting("DELETE /v1/users/{id} 200");
    }
    // The capture worked: the requests were logged, by route template.
    assertThat(text).contains("POST /v1/users 201", "GET /v1/users/{id} 200");
    for (String secret : secrets) {
      assertThat(text)
          .as("the logs hold no %s", secret.length() > 3 ? "personal data" : "code")
          .doesNotContain(secret);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void an_unexpected_failure_is_logged_with_an_incident_id_and_without_the_request(String kind)
      throws InterruptedException {
    String text;
    Http.Response failed;
    try (Capture capture = new Capture();
        TestServer server = TestServer.start(kind, dir)) {
      // The database goes away under the running server.
      server.candor().database().close();
      Map<String, String> person = new LinkedHashMap<>();
      person.put("name", NAME);
      person.put("phone", PHONE);
      person.put("email", EMAIL);
      failed = server.http().post("/v1/users", TestServer.ADMIN_TOKEN, json(person));
      text = capture.awaiting("POST /v1/users 500");
    }
    HttpTesting.assertProblem(failed, 500);
    String detail = failed.json().get("detail").asText();
    String incident = detail.substring(detail.lastIndexOf(' ') + 1);
    assertThat(text).contains("incident " + incident);
    for (String secret : List.of(NAME, PHONE, PHONE.substring(1), EMAIL, TestServer.ADMIN_TOKEN)) {
      assertThat(text).doesNotContain(secret);
    }
    assertThat(failed.text()).doesNotContain(NAME).doesNotContain(EMAIL);
  }
}
