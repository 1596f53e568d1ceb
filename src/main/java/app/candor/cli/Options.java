package app.candor.cli;

import app.candor.core.config.Config;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Flags shared by the commands; each overrides its environment variable. */
final class Options {
  @Option(names = "--port", description = "HTTP port (env CANDOR_PORT, default 8080)")
  Integer port;

  @Option(names = "--data-dir", description = "data directory (env CANDOR_DATA_DIR)")
  Path dataDir;

  @Option(names = "--db-url", description = "JDBC URL (env CANDOR_DB_URL; default embedded SQLite)")
  String dbUrl;

  Config config(java.util.Map<String, String> env) {
    java.util.Map<String, String> merged = new java.util.HashMap<>(env);
    if (port != null) merged.put("CANDOR_PORT", port.toString());
    if (dataDir != null) merged.put("CANDOR_DATA_DIR", dataDir.toString());
    if (dbUrl != null) merged.put("CANDOR_DB_URL", dbUrl);
    return Config.fromEnv(merged);
  }

  static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
  }
}
