package app.candor;

import app.candor.communication.Communication;
import app.candor.communication.ContactDirectory;
import app.candor.communication.Contacts;
import app.candor.communication.media.FileBlobStore;
import app.candor.communication.media.MediaData;
import app.candor.communication.media.MediaService;
import app.candor.communication.spam.SpamClassifier;
import app.candor.core.access.PurposeGate;
import app.candor.core.audit.AccessLog;
import app.candor.core.auth.AdminToken;
import app.candor.core.auth.Authenticator;
import app.candor.core.auth.ServiceRegistry;
import app.candor.core.auth.UserTokens;
import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.RetentionSettings;
import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.MasterKey;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import app.candor.http.AnalyticsRoutes;
import app.candor.http.CommunicationRoutes;
import app.candor.http.ContactRoutes;
import app.candor.http.EventRoutes;
import app.candor.http.HttpServer;
import app.candor.http.LocationRoutes;
import app.candor.http.MediaRoutes;
import app.candor.http.OpsRoutes;
import app.candor.http.PaymentRoutes;
import app.candor.http.PlaceRoutes;
import app.candor.http.PrivacyRoutes;
import app.candor.http.ServiceRoutes;
import app.candor.http.SessionRoutes;
import app.candor.http.SignInRoutes;
import app.candor.http.UserRoutes;
import app.candor.location.LocationData;
import app.candor.location.LocationService;
import app.candor.location.PlaceService;
import app.candor.payment.Payments;
import app.candor.personal.Addresses;
import app.candor.personal.CodeDelivery;
import app.candor.personal.OutboxSender;
import app.candor.personal.PersonalData;
import app.candor.personal.PersonalService;
import app.candor.personal.SignIn;
import app.candor.privacy.LedgerData;
import app.candor.privacy.PrivacyService;
import app.candor.privacy.SubjectData;
import app.candor.privacy.Transparency;
import app.candor.usage.UsageAnalytics;
import app.candor.usage.UsageData;
import app.candor.usage.UsageService;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The composition root: builds the whole graph with plain constructors, in dependency order. The
 * CLI and the tests build Candor the same way; only the configuration differs. The edges receive
 * only what they use: each HTTP route module is a record of its services ({@link #routes()}), and
 * each command one of {@link CommandServices} ({@link #banner()}, {@link #demo()}, {@link
 * #bench()}, {@link #keys()}).
 */
public final class Candor implements AutoCloseable {

  /** How often data past its retention is deleted. */
  private static final java.time.Duration CLEANUP_EVERY = java.time.Duration.ofHours(6);

  private final Config config;
  private final Database database;
  private final MasterKey masterKey;
  private final SubjectKeys subjectKeys;
  private final Catalog catalog;
  private final ConsentLedger consents;
  private final AccessLog accessLog;
  private final ServiceRegistry services;
  private final UserTokens userTokens;
  private final AdminToken adminToken;
  private final Authenticator authenticator;
  private final PurposeGate gate;
  private final PersonalService people;
  private final Optional<OutboxSender> outbox;
  private final CodeDelivery codes;
  private final SignIn signIn;
  private final PrivacyService privacy;
  private final Transparency transparency;
  private final UsageService usage;
  private final UsageAnalytics usageAnalytics;
  private final LocationService location;
  private final PlaceService places;
  private final Payments payments;
  private final Communication communication;
  private final Contacts contacts;
  private final Clock clock;
  private final MediaService media;
  private final java.util.concurrent.ScheduledExecutorService housekeeping;
  private final PrometheusMeterRegistry metrics;
  private Optional<Javalin> server = Optional.empty();

  private Candor(Config config, Clock clock, boolean withOutbox) {
    this.config = config;
    this.clock = clock;
    prepareDataDir(config.dataDir());
    this.database = openDatabase(config);
    try {
      this.masterKey = MasterKey.loadOrCreate(config.masterKeyFile());
      this.subjectKeys = new SubjectKeys(database, masterKey, clock);
      BlindIndex blindIndex = BlindIndex.loadOrCreate(database, masterKey);
      this.catalog =
          Catalog.standard(
              new RetentionSettings(
                  config.usage().retentionDays(),
                  config.location().retentionDays(),
                  CLEANUP_EVERY,
                  config.payment().recordRetentionYears()));
      this.consents = new ConsentLedger(database, clock);
      this.accessLog = new AccessLog(database, clock);
      this.services = new ServiceRegistry(database, clock);
      this.userTokens = new UserTokens(database, clock);
      userTokens.purgeExpired();
      this.adminToken = AdminToken.resolve(config.adminToken(), config.dataDir());
      this.authenticator = new Authenticator(adminToken, services, userTokens);
      PurposeGate gate =
          new PurposeGate(catalog, consents, accessLog, subjectKeys::exists, userTokens);
      this.gate = gate;
      this.people = new PersonalService(database, subjectKeys, blindIndex, clock);
      this.outbox = withOutbox ? Optional.of(new OutboxSender(clock)) : Optional.empty();
      this.codes =
          outbox
              .map(CodeDelivery::outbox)
              .orElseGet(() -> CodeDelivery.configured(config.delivery(), clock));
      this.signIn = new SignIn(people, userTokens, codes, clock);
      this.usage = new UsageService(database, subjectKeys, config.usage(), clock);
      this.usageAnalytics = new UsageAnalytics(database, clock, usage::catchUp);
      consents.onChange((subject, purpose) -> usage.invalidate(subject));
      Addresses addresses = new Addresses(database, blindIndex);
      this.contacts =
          new Contacts(
              database,
              subjectKeys,
              new ContactDirectory(addresses::index, addresses::holders, addresses::of),
              people::names,
              gate,
              clock);
      // Friends nearby finds friends through the contact lists, without importing them.
      this.location =
          new LocationService(
              database,
              subjectKeys,
              consents,
              config.location(),
              clock,
              people::names,
              gate,
              contacts::mutual);
      consents.onChange(location::consentChanged);
      this.places = new PlaceService(database, clock);
      this.payments =
          new Payments(
              database,
              subjectKeys,
              blindIndex,
              gate,
              people::names,
              location::kmFromUsual,
              config.payment(),
              clock);
      SpamClassifier spam = SpamClassifier.shipped();
      this.communication =
          new Communication(
              database, subjectKeys, people::names, spam::classify, blindIndex, gate, clock);
      // Besides its uploader, the members of a conversation a file was sent in may download it.
      this.media =
          new MediaService(
              database,
              subjectKeys,
              FileBlobStore.open(config.dataDir().resolve("media")),
              communication.messages()::mayDownload,
              clock);
      media.sweepOrphans();
      List<SubjectData> providers =
          List.of(
              new PersonalData(people, userTokens, codes),
              new LedgerData(consents, accessLog),
              new UsageData(usage, subjectKeys),
              new LocationData(location),
              payments.data(),
              communication.data(),
              new MediaData(media),
              contacts.data());
      this.privacy = new PrivacyService(catalog, providers, subjectKeys, database, clock);
      this.transparency = new Transparency(catalog, providers, config.appName(), clock);
      this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new JvmMemoryMetrics().bindTo(metrics);
      new JvmGcMetrics().bindTo(metrics);
      new JvmThreadMetrics().bindTo(metrics);
      new ProcessorMetrics().bindTo(metrics);
      new UptimeMetrics().bindTo(metrics);
      // Counted now, so the first request has counts, then every minute in the background.
      transparency.start(Transparency.REFRESH_EVERY);
      this.housekeeping =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "candor-housekeeping");
                t.setDaemon(true);
                return t;
              });
      // Data older than the retention is deleted at start (at once, before anyone can have moved
      // a clock or sent data it should find) and every CLEANUP_EVERY (the catalog states the same
      // interval).
      housekeeping.scheduleWithFixedDelay(
          this::purgeExpired, 0, CLEANUP_EVERY.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** Deletes what has outlived its retention; the housekeeping runs it every six hours. */
  public void purgeExpired() {
    try {
      userTokens.purgeExpired();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Candor.class)
          .warn("sign-in session purge failed: {}", e.getClass().getName());
    }
    try {
      usage.purgeExpired();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Candor.class)
          .warn("usage retention purge failed: {}", e.getClass().getName());
    }
    try {
      location.purgeExpired();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Candor.class)
          .warn("location retention purge failed: {}", e.getClass().getName());
    }
    try {
      payments.purgeExpired();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(Candor.class)
          .warn("payment retention purge failed: {}", e.getClass().getName());
    }
  }

  /**
   * Builds Candor from {@code config}: opens the database, migrates it, loads the keys. Sign-in
   * codes go through the senders the configuration names ({@code serve}).
   */
  public static Candor open(Config config) {
    return open(config, Clock.systemUTC());
  }

  public static Candor open(Config config, Clock clock) {
    return new Candor(
        Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock, "clock"), false);
  }

  /**
   * Builds Candor whose sign-in codes are kept in the operators' outbox ({@code GET
   * /v1/admin/outbox}) instead of being sent: for {@code demo} and tests only.
   */
  public static Candor withOutbox(Config config) {
    return withOutbox(config, Clock.systemUTC());
  }

  public static Candor withOutbox(Config config, Clock clock) {
    return new Candor(
        Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock, "clock"), true);
  }

  /** Starts the HTTP server on the configured port; returns the port actually bound. */
  public synchronized int start() {
    Javalin app = HttpServer.create(edge(), routes());
    app.start(config.port());
    server = Optional.of(app);
    return app.port();
  }

  /** What every route shares. */
  public HttpServer.Edge edge() {
    return new HttpServer.Edge(authenticator, metrics, config.maxBodyBytes(), version());
  }

  /** The route modules, each with the services its routes use. */
  public List<HttpServer.Module> routes() {
    return List.of(
        new OpsRoutes(database, metrics),
        new ServiceRoutes(services),
        new UserRoutes(gate, people, consents),
        new SignInRoutes(signIn, outbox),
        new SessionRoutes(gate, userTokens),
        new EventRoutes(usage, metrics),
        new AnalyticsRoutes(gate, usageAnalytics),
        new LocationRoutes(gate, location.updates(), location.nearby(), metrics),
        new PlaceRoutes(places),
        new PaymentRoutes(gate, payments),
        new CommunicationRoutes(gate, communication, clock),
        new MediaRoutes(gate, media),
        new ContactRoutes(gate, contacts),
        new PrivacyRoutes(gate, privacy, transparency));
  }

  /** What the start banner of {@code serve} and {@code demo} reports. */
  public CommandServices.Banner banner() {
    return new CommandServices.Banner(config, codes, adminToken);
  }

  /** What {@code demo} writes its data set through. */
  public CommandServices.Demo demo() {
    return new CommandServices.Demo(
        people,
        consents,
        services,
        usage,
        location,
        places,
        payments,
        communication,
        gate,
        transparency);
  }

  /** What {@code bench} measures. */
  public CommandServices.Bench bench() {
    return new CommandServices.Bench(people, consents, gate, privacy, database);
  }

  /** What {@code ledger verify} checks. */
  public CommandServices.LedgerCheck ledger() {
    return new CommandServices.LedgerCheck(payments);
  }

  /** What {@code rotate-master-key} changes. */
  public CommandServices.Keys keys() {
    return new CommandServices.Keys(masterKey, subjectKeys);
  }

  /** Stops the HTTP server (finishing requests in flight) and closes the database. */
  @Override
  public synchronized void close() {
    server.ifPresent(Javalin::stop);
    server = Optional.empty();
    housekeeping.shutdownNow();
    codes.close();
    transparency.close();
    usage.close();
    location.close();
    payments.close();
    communication.close();
    accessLog.close();
    metrics.close();
    database.close();
  }

  public static String version() {
    return Optional.ofNullable(Candor.class.getPackage().getImplementationVersion()).orElse("dev");
  }

  private static void prepareDataDir(Path dir) {
    try {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system.
      }
    } catch (IOException e) {
      throw new ConfigException(
          "cannot create CANDOR_DATA_DIR " + dir.toAbsolutePath() + ": " + e.getMessage());
    }
  }

  private static Database openDatabase(Config config) {
    Optional<String> url = config.dbUrl();
    if (url.isPresent() && url.get().startsWith("jdbc:postgresql:")) {
      return Database.postgres(url.get());
    }
    if (url.isPresent()) {
      return Database.sqlite(Path.of(url.get().substring("jdbc:sqlite:".length())));
    }
    return Database.sqlite(config.dataDir().resolve("candor.db"));
  }

  // The parts of the graph, for tests that look inside. No main class calls them (a rule of
  // ArchitectureTest): the edges receive what they use, through routes() and the records of
  // CommandServices.

  public Config config() {
    return config;
  }

  public Database database() {
    return database;
  }

  public SubjectKeys subjectKeys() {
    return subjectKeys;
  }

  public Catalog catalog() {
    return catalog;
  }

  public ConsentLedger consents() {
    return consents;
  }

  public AccessLog accessLog() {
    return accessLog;
  }

  public ServiceRegistry services() {
    return services;
  }

  public UserTokens userTokens() {
    return userTokens;
  }

  public PurposeGate gate() {
    return gate;
  }

  public PersonalService people() {
    return people;
  }

  /** The demo's outbox; empty under {@code serve}, where the route to read it does not exist. */
  public Optional<OutboxSender> outbox() {
    return outbox;
  }

  public SignIn signIn() {
    return signIn;
  }

  public PrivacyService privacy() {
    return privacy;
  }

  public Transparency transparency() {
    return transparency;
  }

  public UsageService usage() {
    return usage;
  }

  public UsageAnalytics usageAnalytics() {
    return usageAnalytics;
  }

  public LocationService location() {
    return location;
  }

  public PlaceService places() {
    return places;
  }

  public Communication communication() {
    return communication;
  }

  public Payments payments() {
    return payments;
  }

  public MediaService media() {
    return media;
  }

  public Contacts contacts() {
    return contacts;
  }
}
