package app.candor.personal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.core.config.ConfigException;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code CANDOR_SMTP_URL} becomes the mail session an operator meant, or a clear refusal. */
class SmtpCodeSenderTest {

  @Test
  void starttls_on_the_submission_port_is_required_and_the_login_is_used() {
    SmtpCodeSender.Server server =
        SmtpCodeSender.Server.parse("smtp://candor:s3cret@mail.example.org:587?starttls=true");
    assertThat(server.host()).isEqualTo("mail.example.org");
    assertThat(server.port()).isEqualTo(587);
    assertThat(server.user()).contains("candor");
    assertThat(server.password()).contains("s3cret");
    Properties p = server.properties();
    assertThat(p.getProperty("mail.smtp.starttls.enable")).isEqualTo("true");
    assertThat(p.getProperty("mail.smtp.starttls.required")).isEqualTo("true");
    assertThat(p.getProperty("mail.smtp.ssl.enable")).isEqualTo("false");
    assertThat(p.getProperty("mail.smtp.auth")).isEqualTo("true");
    assertThat(p.getProperty("mail.smtp.ssl.checkserveridentity")).isEqualTo("true");
    assertThat(p.getProperty("mail.smtp.timeout")).isNotBlank();
    assertThat(server.toString()).doesNotContain("s3cret");
  }

  @Test
  void smtps_is_tls_from_the_first_byte_on_port_465_by_default() {
    SmtpCodeSender.Server server =
        SmtpCodeSender.Server.parse("smtps://candor:pw@mail.example.org");
    assertThat(server.port()).isEqualTo(465);
    assertThat(server.implicitTls()).isTrue();
    assertThat(server.properties().getProperty("mail.smtp.ssl.enable")).isEqualTo("true");
    assertThat(server.properties().getProperty("mail.smtp.starttls.enable")).isEqualTo("false");
  }

  @Test
  void default_ports_and_no_login() {
    SmtpCodeSender.Server plain = SmtpCodeSender.Server.parse("smtp://relay.internal");
    assertThat(plain.port()).isEqualTo(25);
    assertThat(plain.user()).isEmpty();
    assertThat(plain.properties().getProperty("mail.smtp.auth")).isEqualTo("false");
    assertThat(SmtpCodeSender.Server.parse("smtp://relay.internal?starttls=true").port())
        .isEqualTo(587);
  }

  @Test
  void a_password_with_reserved_characters_is_written_percent_encoded() {
    SmtpCodeSender.Server server =
        SmtpCodeSender.Server.parse("smtp://me%40example.org:p%3Aw%40rd%2F1@mail.example.org");
    assertThat(server.user()).isEqualTo(Optional.of("me@example.org"));
    assertThat(server.password()).isEqualTo(Optional.of("p:w@rd/1"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "smtp://user:hunter2@",
        "smtp://user:hunter2@mail.example.org?tls=true",
        "smtp://user:hunter2@mail.example.org?starttls=maybe",
        "smtps://user:hunter2@mail.example.org?starttls=true",
        "http://user:hunter2@mail.example.org",
        "smtp://user:hunter2@mail example.org"
      })
  void a_url_that_cannot_work_is_refused_naming_the_variable_and_not_the_password(String url) {
    assertThatThrownBy(() -> SmtpCodeSender.Server.parse(url))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_SMTP_URL")
        .hasMessageNotContaining("hunter2");
  }
}
