package app.candor.personal;

import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Date;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Sends codes by email over SMTP with Eclipse Angus Mail, configured by one URL ({@code
 * CANDOR_SMTP_URL}): {@code smtp://user:pass@host:587?starttls=true} (STARTTLS, required when asked
 * for, so the password never crosses in the clear), or {@code smtps://user:pass@host:465} (TLS from
 * the first byte). The server's certificate and name are checked. User and password are
 * percent-decoded, so a password with {@code @}, {@code :} or {@code /} is written {@code %40},
 * {@code %3A}, {@code %2F}. One connection per message: codes are rare and each must go out alone.
 */
public final class SmtpCodeSender implements CodeSender {

  /** Connect, read and write timeouts: a stuck server must not hold a sending thread for long. */
  private static final String TIMEOUT_MILLIS = "10000";

  /**
   * The server settings read from the URL.
   *
   * @param host the SMTP server
   * @param port its port (25, or 587 with STARTTLS, or 465 for smtps, unless the URL says)
   * @param implicitTls {@code smtps://}: TLS from the first byte
   * @param startTls {@code ?starttls=true}: upgrade to TLS before logging in, or fail
   * @param user the login, if any
   * @param password the password, if any
   */
  public record Server(
      String host,
      int port,
      boolean implicitTls,
      boolean startTls,
      Optional<String> user,
      Optional<String> password) {

    /** Parses {@code CANDOR_SMTP_URL}; the exception names the variable, never the password. */
    public static Server parse(String url) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw problem(url, "it is not a valid URL");
      }
      String scheme = Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT);
      if (!scheme.equals("smtp") && !scheme.equals("smtps")) {
        throw problem(url, "the scheme must be smtp:// or smtps://");
      }
      if (uri.getHost() == null) {
        throw problem(url, "it names no host");
      }
      boolean implicitTls = scheme.equals("smtps");
      boolean startTls = false;
      for (String pair : Optional.ofNullable(uri.getQuery()).orElse("").split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        String[] kv = pair.split("=", 2);
        if (!kv[0].equals("starttls") || kv.length != 2 || !kv[1].matches("true|false")) {
          throw problem(url, "the only query parameter is starttls=true or starttls=false");
        }
        startTls = Boolean.parseBoolean(kv[1]);
      }
      if (implicitTls && startTls) {
        throw problem(url, "smtps:// is TLS already; starttls=true goes with smtp://");
      }
      int port = uri.getPort() > 0 ? uri.getPort() : implicitTls ? 465 : startTls ? 587 : 25;
      Optional<String> user = Optional.empty();
      Optional<String> password = Optional.empty();
      // getUserInfo() is percent-decoded; the first ':' separates the user from the password.
      String info = uri.getUserInfo();
      if (info != null && !info.isEmpty()) {
        int colon = info.indexOf(':');
        user = Optional.of(colon < 0 ? info : info.substring(0, colon));
        password = colon < 0 ? Optional.empty() : Optional.of(info.substring(colon + 1));
      }
      return new Server(uri.getHost(), port, implicitTls, startTls, user, password);
    }

    private static ConfigException problem(String url, String why) {
      return new ConfigException(
          "CANDOR_SMTP_URL ("
              + Config.maskUrl(url)
              + ") cannot be used: "
              + why
              + "; write it as smtp://user:pass@host:587?starttls=true or smtps://user:pass@host");
    }

    /** The Jakarta Mail session properties for this server. */
    Properties properties() {
      Properties p = new Properties();
      p.setProperty("mail.transport.protocol", "smtp");
      p.setProperty("mail.smtp.host", host);
      p.setProperty("mail.smtp.port", Integer.toString(port));
      p.setProperty("mail.smtp.auth", Boolean.toString(user.isPresent()));
      p.setProperty("mail.smtp.ssl.enable", Boolean.toString(implicitTls));
      p.setProperty("mail.smtp.starttls.enable", Boolean.toString(startTls));
      p.setProperty("mail.smtp.starttls.required", Boolean.toString(startTls));
      p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
      p.setProperty("mail.smtp.connectiontimeout", TIMEOUT_MILLIS);
      p.setProperty("mail.smtp.timeout", TIMEOUT_MILLIS);
      p.setProperty("mail.smtp.writetimeout", TIMEOUT_MILLIS);
      return p;
    }

    @Override
    public String toString() {
      return "Server["
          + host
          + ":"
          + port
          + (implicitTls ? ", tls" : startTls ? ", starttls" : "")
          + user.map(u -> ", user=" + u).orElse("")
          + password.map(x -> ", password=****").orElse("")
          + "]";
    }
  }

  private final Server server;
  private final InternetAddress from;
  private final Session session;
  private final Clock clock;

  public SmtpCodeSender(Server server, String from, Clock clock) {
    this.server = Objects.requireNonNull(server, "server");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.from = new InternetAddress(Objects.requireNonNull(from, "from"), true);
    } catch (AddressException e) {
      throw new ConfigException("CANDOR_SMTP_FROM must be an email address such as no-reply@x.org");
    }
    this.session = Session.getInstance(server.properties());
  }

  @Override
  public void send(String subjectId, String channel, String address, String code) {
    try {
      MimeMessage message = new MimeMessage(session);
      message.setFrom(from);
      message.setRecipient(Message.RecipientType.TO, new InternetAddress(address, true));
      message.setSubject("Your sign-in code", "UTF-8");
      message.setSentDate(Date.from(clock.instant()));
      message.setText(CodeSender.text(code), "UTF-8");
      if (server.user().isPresent()) {
        Transport.send(message, server.user().get(), server.password().orElse(""));
      } else {
        Transport.send(message);
      }
    } catch (MessagingException e) {
      // The library's messages can quote the recipient: only the kind of failure is kept.
      throw new DeliveryFailed(
          "the SMTP server "
              + server.host()
              + ":"
              + server.port()
              + " did not take the message ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /** Where mail goes, for the start banner (no password). */
  public String describe() {
    return "email over SMTP via " + server.host() + ":" + server.port();
  }
}
