package app.candor.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    Location location) {

  /**
   * Usage data settings.
   *
   * @param retentionDays raw usage events older than this are rejected and deleted (13 months)
   * @param sessionGapMinutes inactivity that ends an inferred session (30, as PostHog and GA4)
   * @param sessionMaxHours the longest a session may last (24)
   * @param dedupeDays how long a messageId is remembered: a retry within this many days of the
   *     original's arrival is a duplicate (7; Segment keeps about one day)
   */
  public record Usage(
      int retentionDays, int sessionGapMinutes, int sessionMaxHours, int dedupeDays) {
    public static final Usage DEFAULT = new Usage(395, 30, 24, 7);
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
  }

  /** Reads {@code CANDOR_*} variables; throws {@link ConfigException} listing every problem. */
  public static Config fromEnv(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    int port = DEFAULT_PORT;
    String rawPort = env.get("CANDOR_PORT");
    if (rawPort != null && !rawPort.isBlank()) {
      try {
        port = Integer.parseInt(rawPort.trim());
        if (port < 0 || port > 65535) {
          problems.add("CANDOR_PORT must be between 0 and 65535, got " + port);
        }
      } catch (NumberFormatException e) {
        problems.add("CANDOR_PORT must be a number such as 8080, got '" + rawPort + "'");
      }
    }
    Path dataDir = Path.of(value(env, "CANDOR_DATA_DIR").orElse("./candor-data"));
    Optional<String> dbUrl = value(env, "CANDOR_DB_URL");
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
    Optional<String> adminToken = value(env, "CANDOR_ADMIN_TOKEN");
    adminToken.ifPresent(
        token -> {
          if (token.length() < 24) {
            problems.add(
                "CANDOR_ADMIN_TOKEN must be at least 24 characters long; leave it unset to have"
                    + " one generated");
          }
        });
    Path masterKeyFile =
        value(env, "CANDOR_MASTER_KEY_FILE").map(Path::of).orElse(dataDir.resolve("master.key"));
    String appName = value(env, "CANDOR_APP_NAME").orElse("Candor");
    if (appName.length() > 100) {
      problems.add("CANDOR_APP_NAME must be at most 100 characters");
    }
    int retention =
        positive(env, "CANDOR_USAGE_RETENTION_DAYS", Usage.DEFAULT.retentionDays(), 3650, problems);
    int gap =
        positive(
            env, "CANDOR_SESSION_GAP_MINUTES", Usage.DEFAULT.sessionGapMinutes(), 1440, problems);
    int maxHours =
        positive(env, "CANDOR_SESSION_MAX_HOURS", Usage.DEFAULT.sessionMaxHours(), 168, problems);
    int dedupe =
        positive(env, "CANDOR_USAGE_DEDUPE_DAYS", Usage.DEFAULT.dedupeDays(), 90, problems);
    Location location =
        new Location(
            positive(
                env,
                "CANDOR_LOCATION_RETENTION_DAYS",
                Location.DEFAULT.retentionDays(),
                3650,
                problems),
            positive(
                env,
                "CANDOR_NEARBY_RECENT_MINUTES",
                Location.DEFAULT.recentMinutes(),
                10_080,
                problems),
            positive(
                env,
                "CANDOR_NEARBY_QUERIES_PER_MINUTE",
                Location.DEFAULT.nearbyPerMinute(),
                100_000,
                problems));
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
        DEFAULT_MAX_BODY_BYTES,
        new Usage(retention, gap, maxHours, dedupe),
        location);
  }

  private static int positive(
      Map<String, String> env, String name, int fallback, int max, List<String> problems) {
    Optional<String> raw = value(env, name);
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
        Location.DEFAULT);
  }

  public Config withPort(int newPort) {
    return new Config(
        newPort, dataDir, dbUrl, adminToken, masterKeyFile, appName, maxBodyBytes, usage, location);
  }

  public Config withDbUrl(Optional<String> newDbUrl) {
    return new Config(
        port, dataDir, newDbUrl, adminToken, masterKeyFile, appName, maxBodyBytes, usage, location);
  }

  public Config withAdminToken(Optional<String> token) {
    return new Config(
        port, dataDir, dbUrl, token, masterKeyFile, appName, maxBodyBytes, usage, location);
  }

  public Config withUsage(Usage newUsage) {
    return new Config(
        port, dataDir, dbUrl, adminToken, masterKeyFile, appName, maxBodyBytes, newUsage, location);
  }

  public Config withLocation(Location newLocation) {
    return new Config(
        port, dataDir, dbUrl, adminToken, masterKeyFile, appName, maxBodyBytes, usage, newLocation);
  }

  public Config withAppName(String name) {
    return new Config(
        port, dataDir, dbUrl, adminToken, masterKeyFile, name, maxBodyBytes, usage, location);
  }

  /** The JDBC URL with any password masked, safe for logs. */
  public String describeDatabase() {
    return dbUrl
        .map(url -> url.replaceAll("(?i)(password=)[^&]*", "$1****"))
        .orElse("embedded SQLite in " + dataDir.resolve("candor.db"));
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }
}
