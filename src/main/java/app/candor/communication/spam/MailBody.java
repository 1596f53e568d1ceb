package app.candor.communication.spam;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The text a chat message would carry, taken from a raw e-mail: the headers go (chat has none),
 * quoted-printable and base64 are decoded (Jakarta Mail), HTML becomes its visible text with each
 * link's address kept as text (as a chat shows a link), and attachments that are not text are left
 * out. In a {@code multipart/alternative} the plain part is preferred. A mail that Jakarta Mail
 * cannot parse falls back to everything after the first blank line, with tags stripped.
 */
public final class MailBody {

  private static final Session SESSION = Session.getInstance(new Properties());
  private static final Pattern INVISIBLE =
      Pattern.compile("(?is)<!--.*?-->|<(script|style|head)\\b[^>]*>.*?</\\1\\s*>|<!doctype[^>]*>");
  private static final Pattern HREF =
      Pattern.compile("(?is)<a\\s[^>]*?href\\s*=\\s*[\"']?([^\"'\\s>]+)[^>]*>");
  private static final Pattern BREAK = Pattern.compile("(?i)<(br|p|div|tr|li|h\\d)\\b[^>]*>");
  private static final Pattern TAG = Pattern.compile("(?s)</?[a-zA-Z!][^>]*>");
  private static final Pattern ENTITY =
      Pattern.compile("&(#\\d{1,6}|#x[0-9a-fA-F]{1,5}|[a-zA-Z]{2,6});");

  private MailBody() {}

  public static String of(String rawMail) {
    Objects.requireNonNull(rawMail, "rawMail");
    try {
      MimeMessage message =
          new MimeMessage(
              SESSION, new ByteArrayInputStream(rawMail.getBytes(StandardCharsets.UTF_8)));
      return text(message).strip();
    } catch (MessagingException | IOException | RuntimeException e) {
      int blank = rawMail.indexOf("\n\n");
      return stripHtml(blank < 0 ? "" : rawMail.substring(blank + 2)).strip();
    }
  }

  private static String text(Part part) throws MessagingException, IOException {
    if (part.isMimeType("text/html")) {
      return stripHtml(content(part));
    }
    if (part.isMimeType("text/*")) {
      return content(part);
    }
    if (part.isMimeType("multipart/alternative")) {
      Multipart alternatives = (Multipart) part.getContent();
      for (int i = 0; i < alternatives.getCount(); i++) {
        if (alternatives.getBodyPart(i).isMimeType("text/plain")) {
          return text(alternatives.getBodyPart(i));
        }
      }
      return alternatives.getCount() == 0 ? "" : text(alternatives.getBodyPart(0));
    }
    if (part.isMimeType("multipart/*")) {
      Multipart parts = (Multipart) part.getContent();
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < parts.getCount(); i++) {
        BodyPart p = parts.getBodyPart(i);
        out.append(text(p)).append('\n');
      }
      return out.toString();
    }
    if (part.isMimeType("message/rfc822") && part.getContent() instanceof Part inner) {
      return text(inner);
    }
    return "";
  }

  /** A text part's content; with an unknown charset, its decoded bytes read as Latin-1. */
  private static String content(Part part) throws MessagingException, IOException {
    try {
      Object content = part.getContent();
      if (content instanceof String s) {
        return s;
      }
    } catch (IOException e) {
      // an unknown charset: read the bytes below
    }
    try (InputStream in = part.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** The visible text of HTML, each link's address kept beside its text. */
  static String stripHtml(String html) {
    if (html.indexOf('<') < 0 && html.indexOf('&') < 0) {
      return html;
    }
    String s = INVISIBLE.matcher(html).replaceAll(" ");
    s = HREF.matcher(s).replaceAll(" $1 ");
    s = BREAK.matcher(s).replaceAll("\n");
    s = TAG.matcher(s).replaceAll(" ");
    return ENTITY.matcher(s).replaceAll(m -> entity(m.group(1)));
  }

  private static String entity(String name) {
    String text =
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
          case "nbsp" -> " ";
          case "amp" -> "&";
          case "lt" -> "<";
          case "gt" -> ">";
          case "quot" -> "\"";
          case "apos" -> "'";
          default -> numeric(name);
        };
    return java.util.regex.Matcher.quoteReplacement(text);
  }

  private static String numeric(String name) {
    try {
      if (name.startsWith("#x") || name.startsWith("#X")) {
        return Character.toString(Integer.parseInt(name.substring(2), 16));
      }
      if (name.startsWith("#")) {
        return Character.toString(Integer.parseInt(name.substring(1)));
      }
    } catch (IllegalArgumentException e) {
      // not a code point: drop it
    }
    return " ";
  }
}
