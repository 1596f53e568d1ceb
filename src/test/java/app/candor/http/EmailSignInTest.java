package app.candor.http;

import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.personal.CodeDelivery;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Codes by email reach a real SMTP server (GreenMail, in this JVM) through {@code CANDOR_SMTP_URL},
 * logging in with the URL's user and password, and the code from the mailbox signs the person in.
 */
class EmailSignInTest {
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");
  private static final String FROM = "codes@candor.test";

  @RegisterExtension
  static final GreenMailExtension MAIL =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
          .withConfiguration(GreenMailConfiguration.aConfig().withUser("candor", "s3cret:p@ss"));

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** Candor as serve builds it (no outbox), sending mail through {@code smtpUrl}. */
  private static Candor withSmtp(String kind, Path dir, String smtpUrl) {
    return Candor.open(
        TestDatabases.config(kind, dir)
            .withDelivery(
                new Config.Delivery(
                    Optional.of(smtpUrl),
                    FROM,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty())));
  }

  private static String smtpUrl(String password) {
    return "smtp://candor:" + password + "@127.0.0.1:" + MAIL.getSmtp().getPort();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_code_arrives_by_email_and_signs_the_person_in(String kind) throws Exception {
    // The password holds ':' and '@', written percent-encoded in the URL.
    try (TestServer server = TestServer.of(withSmtp(kind, dir, smtpUrl("s3cret%3Ap%40ss")))) {
      Http http = server.http();
      String key = server.service("chat", "account");
      String id =
          server.personFrom(key, json(Map.of("name", "Ana Mail", "email", "ana.mail@example.org")));

      Http.Response started =
          http.post(
              "/v1/auth/otp", null, json(Map.of("channel", "email", "to", "Ana.Mail@Example.org")));
      assertThat(started.status()).as("%s", started).isEqualTo(202);

      assertThat(MAIL.waitForIncomingEmail(10_000, 1)).as("a mail arrived").isTrue();
      MimeMessage mail = MAIL.getReceivedMessages()[0];
      assertThat(mail.getRecipients(Message.RecipientType.TO)[0].toString())
          .isEqualTo("ana.mail@example.org");
      assertThat(mail.getFrom()[0].toString()).isEqualTo(FROM);
      assertThat(mail.getSubject()).isEqualTo("Your sign-in code");
      Matcher code = CODE.matcher(GreenMailUtil.getBody(mail));
      assertThat(code.find()).as("a code in %s", GreenMailUtil.getBody(mail)).isTrue();

      Http.Response verified = HttpTesting.verify(http, started, code.group(1));
      assertThat(verified.status()).as("%s", verified).isEqualTo(200);
      assertThat(verified.json().get("userId").asText()).isEqualTo(id);
      String token = verified.json().get("token").asText();
      assertThat(http.get("/v1/users/" + id, token).json().get("emailVerified").isTextual())
          .isTrue();
      // Under serve nobody else can read the code: there is no outbox.
      assertThat(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN).status()).isEqualTo(404);
    }
  }

  @Test
  void an_unknown_address_gets_the_same_answer_and_no_mail() throws Exception {
    try (TestServer server =
        TestServer.of(withSmtp(TestDatabases.SQLITE, dir, smtpUrl("s3cret%3Ap%40ss")))) {
      Http.Response unknown =
          server
              .http()
              .post(
                  "/v1/auth/otp",
                  null,
                  json(Map.of("channel", "email", "to", "nobody@example.org")));
      assertThat(unknown.status()).as("%s", unknown).isEqualTo(202);
      assertThat(MAIL.waitForIncomingEmail(1_000, 1)).isFalse();
    }
  }

  @Test
  void a_login_the_server_refuses_delivers_nothing_and_is_logged_without_address_or_code()
      throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger delivery = (Logger) LoggerFactory.getLogger(CodeDelivery.class);
    log.start();
    delivery.addAppender(log);
    try (TestServer server =
        TestServer.of(withSmtp(TestDatabases.SQLITE, dir, smtpUrl("wrong-password")))) {
      String key = server.service("chat", "account");
      server.personFrom(key, json(Map.of("name", "Ana Mail", "email", "ana.mail@example.org")));
      Http.Response started =
          server
              .http()
              .post(
                  "/v1/auth/otp",
                  null,
                  json(Map.of("channel", "email", "to", "ana.mail@example.org")));
      assertThat(started.status()).as("%s", started).isEqualTo(202);
      assertThat(MAIL.waitForIncomingEmail(2_000, 1)).isFalse();
      String logged = awaitLine(log);
      assertThat(logged).contains("not delivered", "email");
      assertThat(logged).doesNotContain("ana.mail", "example.org", "wrong-password");
      assertThat(CODE.matcher(logged).find()).as("a code in: %s", logged).isFalse();
    } finally {
      delivery.detachAppender(log);
    }
  }

  private static String awaitLine(ListAppender<ILoggingEvent> log) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      synchronized (log.list) {
        if (!log.list.isEmpty()) {
          return log.list.get(0).getFormattedMessage();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the failed delivery was not logged");
  }
}
