package app.candor.testing;

import app.candor.core.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The databases tests run on: SQLite always, PostgreSQL when {@code CANDOR_TEST_PG_URL} is set (CI
 * sets it). Each PostgreSQL use gets a fresh schema, so tests never see each other's rows.
 */
public final class TestDatabases {
  public static final String SQLITE = "sqlite";
  public static final String POSTGRESQL = "postgresql";

  private TestDatabases() {}

  /** The schemas this test run created, dropped when it ends (pg_dump reads every schema). */
  private static final List<String> CREATED = new java.util.concurrent.CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropCreated, "drop-schemas"));
  }

  private static void dropCreated() {
    Optional<String> url = pgUrl();
    if (url.isEmpty() || CREATED.isEmpty()) {
      return;
    }
    try (Connection c = DriverManager.getConnection(url.get())) {
      c.createStatement().execute("SET lock_timeout = '5s'");
      for (String schema : CREATED) {
        try {
          c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
          // Still in use by a server that outlived its test: left for the next clean-up.
        }
      }
    } catch (SQLException e) {
      // The database is gone already: nothing to drop.
    }
  }

  public static Optional<String> pgUrl() {
    return Optional.ofNullable(System.getenv("CANDOR_TEST_PG_URL")).filter(s -> !s.isBlank());
  }

  /** The kinds to parameterize over: {@code sqlite}, plus {@code postgresql} when configured. */
  public static List<String> kinds() {
    List<String> kinds = new ArrayList<>(List.of(SQLITE));
    pgUrl().ifPresent(u -> kinds.add(POSTGRESQL));
    return kinds;
  }

  /** A configuration in {@code dir} on the given kind of database, with a fixed admin token. */
  public static Config config(String kind, Path dir) {
    Config base = Config.forDataDir(dir).withAdminToken(Optional.of(TestServer.ADMIN_TOKEN));
    if (POSTGRESQL.equals(kind)) {
      return base.withDbUrl(Optional.of(freshPgSchemaUrl()));
    }
    return base;
  }

  /** Creates an empty schema and returns a URL that uses it. */
  public static String freshPgSchemaUrl() {
    String url = pgUrl().orElseThrow(() -> new IllegalStateException("CANDOR_TEST_PG_URL not set"));
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(url)) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
      CREATED.add(schema);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test schema on " + url, e);
    }
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /**
   * A bare data source, for migration tests: a SQLite file in {@code dir}, or a fresh PostgreSQL
   * schema.
   */
  public static javax.sql.DataSource dataSource(String kind, Path dir) {
    if (POSTGRESQL.equals(kind)) {
      org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
      pg.setURL(freshPgSchemaUrl());
      return pg;
    }
    org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + dir.resolve("candor.db"));
    return sqlite;
  }

  /** Runs Candor's migrations of {@code kind} up to {@code target} ("latest": all of them). */
  public static void migrate(javax.sql.DataSource source, String kind, String target) {
    org.flywaydb.core.Flyway.configure()
        .dataSource(source)
        .locations("classpath:db/migration/common", "classpath:db/migration/" + kind)
        .target(target)
        .load()
        .migrate();
  }
}
