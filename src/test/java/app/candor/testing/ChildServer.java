package app.candor.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Candor as an operator runs it: {@code app.candor.cli.Main serve} in a child JVM on the test
 * classpath, configured by environment variables, so tests can kill it with SIGKILL.
 */
public final class ChildServer {
  private ChildServer() {}

  /**
   * Starts a server on {@code dataDir} and {@code port}, its output going to {@code log}, with
   * sign-in switched off ({@code CANDOR_CODE_SENDER=none}: serve needs a code sender or that).
   */
  public static Process start(Path dataDir, int port, Path log) throws IOException {
    return start(dataDir, port, log, Map.of("CANDOR_CODE_SENDER", "none"));
  }

  /**
   * Starts {@code serve} with exactly these {@code CANDOR_*} settings besides the data dir, port
   * and admin token (a database URL, a master key file, a code sender or {@code
   * CANDOR_CODE_SENDER=none}).
   */
  public static Process start(Path dataDir, int port, Path log, Map<String, String> settings)
      throws IOException {
    return start(dataDir, port, log, settings, List.of());
  }

  /** As {@link #start(Path, int, Path, Map)}, with extra JVM options (a heap limit, say). */
  public static Process start(
      Path dataDir, int port, Path log, Map<String, String> settings, List<String> jvmOptions)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath =
        Optional.ofNullable(System.getProperty("surefire.test.class.path"))
            .filter(s -> !s.isBlank())
            .orElse(System.getProperty("java.class.path"));
    List<String> command = new java.util.ArrayList<>(List.of(java));
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, "app.candor.cli.Main", "serve"));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("CANDOR_"));
    env.put("CANDOR_DATA_DIR", dataDir.toString());
    env.put("CANDOR_PORT", Integer.toString(port));
    env.put("CANDOR_ADMIN_TOKEN", TestServer.ADMIN_TOKEN);
    env.putAll(settings);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return builder.start();
  }

  /** Waits until the server answers /health/ready; fails with its log when it exits or stalls. */
  public static void awaitReady(Process server, Http http, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("the server exited early:\n" + Files.readString(log));
      }
      try {
        if (http.get("/health/ready", null).status() == 200) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the server was not ready in time:\n" + Files.readString(log));
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
