package app.candor.testing;

import app.candor.core.config.Config;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second Candor server, in a process of its own, on the database and master key of the first
 * (built from {@code first}): for tests that two nodes on one database stay correct.
 */
public final class SecondNode implements AutoCloseable {
  private final Process process;
  private final Http http;

  private SecondNode(Process process, Http http) {
    this.process = process;
    this.http = http;
  }

  /** Starts the second node with its data directory and log under {@code dir}; returns it ready. */
  public static SecondNode start(Config first, Path dir) throws Exception {
    String url =
        first
            .dbUrl()
            .orElse("jdbc:sqlite:" + first.dataDir().resolve("candor.db").toAbsolutePath());
    int port = ChildServer.freePort();
    Path log = dir.resolve("node2.log");
    Process process =
        ChildServer.start(
            dir.resolve("node2"),
            port,
            log,
            Map.of(
                "CANDOR_DB_URL",
                url,
                "CANDOR_MASTER_KEY_FILE",
                first.masterKeyFile().toAbsolutePath().toString(),
                "CANDOR_CODE_SENDER",
                "none",
                "CANDOR_ADMIN_TOKEN",
                TestServer.ADMIN_TOKEN));
    Http http = new Http("http://localhost:" + port);
    try {
      ChildServer.awaitReady(process, http, log);
    } catch (Exception | Error e) {
      process.destroyForcibly();
      throw e;
    }
    return new SecondNode(process, http);
  }

  public Http http() {
    return http;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
