package app.candor.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code CANDOR_*} variables into a {@link Config}, one section at a time (server, usage,
 * location, delivery), collecting every problem before it fails, so that one start names everything
 * to change. A variable that is unset or blank takes its default.
 */
final class EnvReader {
  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();

  EnvReader(Map<String, String> env) {
    this.env = env;
  }

  /** The configuration; throws {@link ConfigException} listing every problem. */
  Config read() {
    int port = port();
    Path dataDir = Path.of(value("CANDOR_DATA_DIR").orElse("./candor-data"));
    Optional<String> dbUrl = dbUrl();
    Optional<String> adminToken = adminToken();
    Path masterKeyFile =
        value("CANDOR_MASTER_KEY_FILE").map(Path::of).orElse(dataDir.resolve("master.key"));
    String appName = value("CANDOR_APP_NAME").orElse("Candor");
    if (appName.length() > 100) {
      problems.add("CANDOR_APP_NAME must be at most 100 characters");
    }
    Config.Usage usage = usage();
    Config.Location location = location();
    Config.Delivery delivery = delivery();
    Config.Payment payment = payment();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        Config.DEFAULT_MAX_BODY_BYTES,
        usage,
        location,
        delivery,
        payment);
  }

  private Config.Payment payment() {
    String currency = value("CANDOR_PAYMENT_CURRENCY").orElse(Config.Payment.DEFAULT.currency());
    try {
      if (!currency.equals(currency.toUpperCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException();
      }
      java.util.Currency.getInstance(currency);
    } catch (IllegalArgumentException e) {
      problems.add(
          "CANDOR_PAYMENT_CURRENCY must be an ISO 4217 code such as EUR or USD, got '"
              + currency
              + "'");
    }
    int years =
        positive(
            "CANDOR_PAYMENT_RECORD_RETENTION_YEARS",
            Config.Payment.DEFAULT.recordRetentionYears(),
            100);
    return new Config.Payment(currency, years);
  }

  private int port() {
    String rawPort = env.get("CANDOR_PORT");
    if (rawPort == null || rawPort.isBlank()) {
      return Config.DEFAULT_PORT;
    }
    try {
      int port = Integer.parseInt(rawPort.trim());
      if (port < 0 || port > 65535) {
        problems.add("CANDOR_PORT must be between 0 and 65535, got " + port);
      }
      return port;
    } catch (NumberFormatException e) {
      problems.add("CANDOR_PORT must be a number such as 8080, got '" + rawPort + "'");
      return Config.DEFAULT_PORT;
    }
  }

  private Optional<String> dbUrl() {
    Optional<String> dbUrl = value("CANDOR_DB_URL");
    dbUrl.ifPresent(
        url -> {
          if (!url.startsWith("jdbc:postgresql://") && !url.startsWith("jdbc:sqlite:")) {
            problems.add(
                "CANDOR_DB_URL must be a jdbc:postgresql://host:port/db URL (or jdbc:sqlite:file),"
                    + " got a URL starting with '"
                    + url.substring(0, Math.min(url.length(), 16))
                    + "'; leave it unset for the embedded database");
          }
        });
    return dbUrl;
  }

  private Optional<String> adminToken() {
    Optional<String> adminToken = value("CANDOR_ADMIN_TOKEN");
    adminToken.ifPresent(
        token -> {
          if (token.length() < 24) {
            problems.add(
                "CANDOR_ADMIN_TOKEN must be at least 24 characters long; leave it unset to have"
                    + " one generated");
          }
        });
    return adminToken;
  }

  private Config.Usage usage() {
    Config.Usage defaults = Config.Usage.DEFAULT;
    int retention = positive("CANDOR_USAGE_RETENTION_DAYS", defaults.retentionDays(), 3650);
    int gap = positive("CANDOR_SESSION_GAP_MINUTES", defaults.sessionGapMinutes(), 1440);
    int maxHours = positive("CANDOR_SESSION_MAX_HOURS", defaults.sessionMaxHours(), 168);
    int dedupe = positive("CANDOR_USAGE_DEDUPE_DAYS", defaults.dedupeDays(), 90);
    int dedupeMaxIds =
        positive(
            "CANDOR_USAGE_DEDUPE_MAX_IDS",
            Config.Usage.DEFAULT_DEDUPE_MAX_IDS,
            Config.Usage.MAX_DEDUPE_MAX_IDS);
    return new Config.Usage(retention, gap, maxHours, dedupe, dedupeMaxIds);
  }

  private Config.Location location() {
    Config.Location defaults = Config.Location.DEFAULT;
    return new Config.Location(
        positive("CANDOR_LOCATION_RETENTION_DAYS", defaults.retentionDays(), 3650),
        positive("CANDOR_NEARBY_RECENT_MINUTES", defaults.recentMinutes(), 10_080),
        positive("CANDOR_NEARBY_QUERIES_PER_MINUTE", defaults.nearbyPerMinute(), 100_000));
  }

  private Config.Delivery delivery() {
    Optional<String> smtp = value("CANDOR_SMTP_URL");
    smtp.ifPresent(
        url -> {
          if (!url.startsWith("smtp://") && !url.startsWith("smtps://")) {
            problems.add(
                "CANDOR_SMTP_URL must look like smtp://user:pass@host:587?starttls=true (or"
                    + " smtps://...), got a URL starting with '"
                    + url.substring(0, Math.min(url.length(), 8))
                    + "'");
          }
        });
    String from = value("CANDOR_SMTP_FROM").orElse(Config.Delivery.NONE.smtpFrom());
    if (!from.matches("[^@\\s]+@[^@\\s]+")) {
      problems.add("CANDOR_SMTP_FROM must be an email address such as no-reply@example.com");
    }
    Optional<String> webhook = value("CANDOR_SMS_WEBHOOK_URL");
    Optional<String> secret = value("CANDOR_SMS_WEBHOOK_SECRET");
    webhook.ifPresent(
        url -> {
          if (!url.startsWith("https://") && !url.startsWith("http://")) {
            problems.add("CANDOR_SMS_WEBHOOK_URL must be an http:// or https:// URL");
          }
          if (secret.isEmpty()) {
            problems.add(
                "CANDOR_SMS_WEBHOOK_SECRET is required with CANDOR_SMS_WEBHOOK_URL: requests to"
                    + " the webhook are signed with it");
          }
        });
    secret.ifPresent(
        s -> {
          if (s.length() < 16) {
            problems.add("CANDOR_SMS_WEBHOOK_SECRET must be at least 16 characters long");
          }
        });
    Optional<String> sender = value("CANDOR_CODE_SENDER");
    sender.ifPresent(
        s -> {
          if (!s.equals("none")) {
            problems.add(
                "CANDOR_CODE_SENDER may only be 'none' (run without sign-in); configure a sender"
                    + " with CANDOR_SMTP_URL or CANDOR_SMS_WEBHOOK_URL instead");
          }
        });
    return new Config.Delivery(smtp, from, webhook, secret, sender);
  }

  /** A whole number in [1, max]; {@code fallback} when unset. */
  private int positive(String name, int fallback, int max) {
    Optional<String> raw = value(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(raw.get());
      if (v < 1 || v > max) {
        problems.add(name + " must be between 1 and " + max + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      problems.add(
          name + " must be a whole number such as " + fallback + ", got '" + raw.get() + "'");
      return fallback;
    }
  }

  private Optional<String> value(String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }
}
