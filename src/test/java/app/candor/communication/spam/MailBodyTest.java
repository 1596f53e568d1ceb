package app.candor.communication.spam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailBodyTest {

  @Test
  void headers_are_dropped_and_the_plain_body_kept() {
    String mail =
        "From: someone@example.com\nSubject: lunch plans\nTo: you@example.com\n\n"
            + "See you at noon.\n";
    assertThat(MailBody.of(mail)).isEqualTo("See you at noon.");
  }

  @Test
  void quoted_printable_and_base64_are_decoded() {
    String qp =
        "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
            + "Content-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 au lait =3D tasty\n";
    assertThat(MailBody.of(qp)).isEqualTo("Café au lait = tasty");
    String base64 =
        "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n"
            + "Content-Transfer-Encoding: base64\n\nSGVsbG8gdGhlcmU=\n";
    assertThat(MailBody.of(base64)).isEqualTo("Hello there");
  }

  @Test
  void html_becomes_its_visible_text_with_link_addresses_kept() {
    String mail =
        "Subject: x\nMIME-Version: 1.0\nContent-Type: text/html\n\n"
            + "<html><head><title>t</title><style>p{color:red}</style></head><body>"
            + "<p>Win &amp; <b>save</b></p><!-- hidden --><a href=\"http://example.com/x\">here</a>"
            + "</body></html>\n";
    String body = MailBody.of(mail);
    assertThat(body).contains("Win & ", "save", "http://example.com/x", "here");
    assertThat(body).doesNotContain("<", "color", "hidden");
  }

  @Test
  void the_plain_alternative_is_preferred_and_attachments_skipped() {
    String mail =
        "Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"M\"\n\n"
            + "--M\nContent-Type: multipart/alternative; boundary=\"A\"\n\n"
            + "--A\nContent-Type: text/plain\n\nplain words\n"
            + "--A\nContent-Type: text/html\n\n<p>html words</p>\n--A--\n"
            + "--M\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
            + "AAECAwQ=\n--M--\n";
    assertThat(MailBody.of(mail)).isEqualTo("plain words");
  }

  @Test
  void a_mail_with_no_body_gives_empty_text() {
    assertThat(MailBody.of("Subject: nothing\n")).isEmpty();
  }
}
