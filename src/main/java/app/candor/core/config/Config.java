package app.candor.core.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything Candor reads from its environment, validated once at start. Invalid settings fail fast
 * with a message that says which variable to change and how.
 *
 * @param port HTTP port; 0 picks a free one (tests)
 * @param dataDir where the embedded database, the master key and the admin token hash live
 * @param dbUrl JDBC URL; empty means embedded SQLite in {@code dataDir}
 * @param adminToken an operator-chosen admin token; empty means one is generated on first start
 * @param masterKeyFile the master key (a Tink keyset); generated on first start when absent
 * @param appName the super app's name, shown on the transparency page
 * @param maxBodyBytes request bodies above this size get 413
 * @param usage how usage events are kept and grouped into sessions
 * @param location how position updates are kept and shown to people nearby
 * @param delivery how one-time sign-in codes reach people
 * @param payment the wallets' currency and how long financial records are kept
 */
public record Config(
    int port,
    Path dataDir,
    Optional<String> dbUrl,
    Optional<String> adminToken,
    Path masterKeyFile,
    String appName,
    long maxBodyBytes,
    Usage usage,
    Location location,
    Delivery delivery,
    Payment payment) {

  /**
   * Usage data settings.
   *
   * @param retentionDays raw usage events older than this are rejected and deleted (13 months)
   * @param sessionGapMinutes inactivity that ends an inferred session (30, as PostHog and GA4)
   * @param sessionMaxHours the longest a session may last (24)
   * @param dedupeDays how long a messageId is remembered: a retry within this many days of the
   *     original's arrival is a duplicate (7; Segment keeps about one day)
   * @param dedupeMaxIds the most messageIds remembered at once; past it the oldest are forgotten
   *     first, so the window may reach back less than {@code dedupeDays}
   */
  public record Usage(
      int retentionDays,
      int sessionGapMinutes,
      int sessionMaxHours,
      int dedupeDays,
      int dedupeMaxIds) {
    /**
     * 1.75 GiB of heap for the window: 18.8 bytes a remembered id measured at this bound, just
     * under a doubling of its hash table (README, "Dedupe window memory").
     */
    public static final int DEFAULT_DEDUPE_MAX_IDS = 100_000_000;

    /** The most the window's hash table can hold (3/4 of 2^30 slots, 14 GiB in all). */
    public static final int MAX_DEDUPE_MAX_IDS = 800_000_000;

    public static final Usage DEFAULT = new Usage(395, 30, 24, 7, DEFAULT_DEDUPE_MAX_IDS);

    public Usage(int retentionDays, int sessionGapMinutes, int sessionMaxHours, int dedupeDays) {
      this(retentionDays, sessionGapMinutes, sessionMaxHours, dedupeDays, DEFAULT_DEDUPE_MAX_IDS);
    }

    public Usage withDedupeMaxIds(int maxIds) {
      return new Usage(retentionDays, sessionGapMinutes, sessionMaxHours, dedupeDays, maxIds);
    }
  }

  /**
   * How one-time codes are delivered. {@code serve} needs at least one real sender, or {@code
   * codeSender = "none"} said explicitly (sign-in then answers 503); only {@code demo} keeps codes
   * in the operators' outbox.
   *
   * @param smtpUrl email over SMTP: {@code smtp://user:pass@host:587?starttls=true}, or {@code
   *     smtps://...} for implicit TLS
   * @param smtpFrom the sender address of code emails
   * @param smsWebhookUrl SMS through an HTTP webhook that receives {@code {to, body}} as JSON
   * @param smsWebhookSecret the key of the webhook's HMAC-SHA256 signature header
   * @param codeSender {@code none} to run without sign-in; empty to use what is configured
   */
  public record Delivery(
      Optional<String> smtpUrl,
      String smtpFrom,
      Optional<String> smsWebhookUrl,
      Optional<String> smsWebhookSecret,
      Optional<String> codeSender) {
    public static final Delivery NONE =
        new Delivery(
            Optional.empty(),
            "no-reply@candor.invalid",
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public Delivery {
      Objects.requireNonNull(smtpUrl, "smtpUrl");
      Objects.requireNonNull(smtpFrom, "smtpFrom");
      Objects.requireNonNull(smsWebhookUrl, "smsWebhookUrl");
      Objects.requireNonNull(smsWebhookSecret, "smsWebhookSecret");
      Objects.requireNonNull(codeSender, "codeSender");
    }

    /** Whether sign-in was switched off on purpose ({@code CANDOR_CODE_SENDER=none}). */
    public boolean disabled() {
      return codeSender.filter("none"::equals).isPresent();
    }

    /** Whether a real sender (SMTP or the SMS webhook) is configured. */
    public boolean hasSender() {
      return smtpUrl.isPresent() || smsWebhookUrl.isPresent();
    }

    @Override
    public String toString() {
      return "Delivery[smtpUrl="
          + smtpUrl.map(Config::maskUrl)
          + ", smtpFrom="
          + smtpFrom
          + ", smsWebhookUrl="
          + smsWebhookUrl.map(Config::maskUrl)
          + ", smsWebhookSecret="
          + smsWebhookSecret.map(x -> "****")
          + ", codeSender="
          + codeSender
          + "]";
    }
  }

  /**
   * Location data settings.
   *
   * @param retentionDays position updates older than this are rejected and deleted (30)
   * @param recentMinutes a current position older than this is not shown to people nearby (60)
   * @param nearbyPerMinute people-nearby queries one viewer may make per minute (30)
   */
  public record Location(int retentionDays, int recentMinutes, int nearbyPerMinute) {
    public static final Location DEFAULT = new Location(30, 60, 30);
  }

  /**
   * Payment settings.
   *
   * @param currency the ISO 4217 code of every wallet (EUR); transfers in another currency are
   *     refused, so currencies never mix in a balance
   * @param recordRetentionYears how long transfers are kept after they settle, under the legal
   *     obligation to keep financial records (5); an erased person's side of them is anonymized
   */
  public record Payment(String currency, int recordRetentionYears) {
    public static final Payment DEFAULT = new Payment("EUR", 5);

    public Payment {
      Objects.requireNonNull(currency, "currency");
    }
  }

  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;

  public Config {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(dbUrl, "dbUrl");
    Objects.requireNonNull(adminToken, "adminToken");
    Objects.requireNonNull(masterKeyFile, "masterKeyFile");
    Objects.requireNonNull(appName, "appName");
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(payment, "payment");
  }

  /** Reads {@code CANDOR_*} variables; throws {@link ConfigException} listing every problem. */
  public static Config fromEnv(Map<String, String> env) {
    return new EnvReader(env).read();
  }

  /** A configuration for tests and tools: everything in {@code dataDir}, a free port. */
  public static Config forDataDir(Path dataDir) {
    return new Config(
        0,
        dataDir,
        Optional.empty(),
        Optional.empty(),
        dataDir.resolve("master.key"),
        "Candor",
        DEFAULT_MAX_BODY_BYTES,
        Usage.DEFAULT,
        Location.DEFAULT,
        Delivery.NONE,
        Payment.DEFAULT);
  }

  public Config withPort(int newPort) {
    return new Config(
        newPort,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        location,
        delivery,
        payment);
  }

  public Config withDbUrl(Optional<String> newDbUrl) {
    return new Config(
        port,
        dataDir,
        newDbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        location,
        delivery,
        payment);
  }

  public Config withAdminToken(Optional<String> token) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        token,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        location,
        delivery,
        payment);
  }

  public Config withUsage(Usage newUsage) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        newUsage,
        location,
        delivery,
        payment);
  }

  public Config withLocation(Location newLocation) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        newLocation,
        delivery,
        payment);
  }

  public Config withAppName(String name) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        name,
        maxBodyBytes,
        usage,
        location,
        delivery,
        payment);
  }

  public Config withPayment(Payment newPayment) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        location,
        delivery,
        newPayment);
  }

  public Config withDelivery(Delivery newDelivery) {
    return new Config(
        port,
        dataDir,
        dbUrl,
        adminToken,
        masterKeyFile,
        appName,
        maxBodyBytes,
        usage,
        location,
        newDelivery,
        payment);
  }

  /** The JDBC URL with any password masked, safe for logs. */
  public String describeDatabase() {
    return dbUrl.map(Config::maskUrl).orElse("embedded SQLite in " + dataDir.resolve("candor.db"));
  }

  /**
   * {@code url} with its secrets masked: the password of {@code user:pass@}, and the values of
   * query parameters that carry secrets ({@code password}, {@code token}, {@code secret}, {@code
   * key}, ...).
   */
  public static String maskUrl(String url) {
    return url.replaceAll("(//[^/@:?#]*):[^/@?#]*@", "$1:****@")
        .replaceAll(
            "(?i)([?&;](?:password|passwd|pass|pwd|token|secret|key|api[_-]?key|auth|signature|sig)"
                + "=)[^&;#]*",
            "$1****");
  }

  /** Every setting, with the admin token, passwords and secrets masked: safe to print and log. */
  @Override
  public String toString() {
    return "Config[port="
        + port
        + ", dataDir="
        + dataDir
        + ", db="
        + describeDatabase()
        + ", adminToken="
        + adminToken.map(t -> "****")
        + ", masterKeyFile="
        + masterKeyFile
        + ", appName="
        + appName
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", usage="
        + usage
        + ", location="
        + location
        + ", delivery="
        + delivery
        + ", payment="
        + payment
        + "]";
  }
}
