package app.candor.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Candor as a separate server process: a child JVM running {@code app.candor.cli.Main serve} on the
 * main classes and runtime dependencies (not the test classes, not DuckDB), configured like an
 * operator would, by environment variables.
 */
final class CandorServer implements AutoCloseable {
  final Path dataDir;
  final int port;
  final String adminToken;
  final Path log;
  private final Process process;

  private CandorServer(Path dataDir, int port, String adminToken, Path log, Process process) {
    this.dataDir = dataDir;
    this.port = port;
    this.adminToken = adminToken;
    this.log = log;
    this.process = process;
  }

  long pid() {
    return process.pid();
  }

  static CandorServer start(Path dataDir, Optional<String> dbUrl, List<String> jvmOptions)
      throws IOException, InterruptedException {
    return start(dataDir, dbUrl, jvmOptions, Map.of());
  }

  /** With more {@code CANDOR_*} settings for the server's environment. */
  static CandorServer start(
      Path dataDir, Optional<String> dbUrl, List<String> jvmOptions, Map<String, String> settings)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String token = "bench-admin-" + HexFormat.of().formatHex(secret);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // e.g. -Dbench.server.jvm=-XX:StartFlightRecording=filename=/tmp/server.jfr to profile the
    // server
    String extra = System.getProperty("bench.server.jvm", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.add("-cp");
    command.add(serverClasspath());
    command.add("app.candor.cli.Main");
    command.add("serve");
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CANDOR_"));
    env.put("CANDOR_DATA_DIR", dataDir.toString());
    env.put("CANDOR_PORT", Integer.toString(port));
    env.put("CANDOR_ADMIN_TOKEN", token);
    dbUrl.ifPresent(u -> env.put("CANDOR_DB_URL", u));
    // The benchmarks do not sign anyone in: serve runs without a code sender.
    env.put("CANDOR_CODE_SENDER", "none");
    env.putAll(settings);
    Path log = dataDir.resolveSibling(dataDir.getFileName() + "-server.log");
    pb.redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Process process = pb.start();
    CandorServer server = new CandorServer(dataDir, port, token, log, process);
    server.awaitReady();
    return server;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the Candor server exited at start:\n" + tail());
      }
      try (MiniHttp http = new MiniHttp("127.0.0.1", port)) {
        if (http.send("GET", "/health/ready", null, null).status() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(200);
    }
    close();
    throw new IOException("the Candor server did not become ready:\n" + tail());
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** The classpath of this JVM without test classes and test-only libraries. */
  static String serverClasspath() {
    List<String> excluded =
        List.of(
            "test-classes", "duckdb", "junit", "assertj", "archunit", "opentest4j", "apiguardian");
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> excluded.stream().noneMatch(e::contains))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** SIGTERM (Candor finishes requests in flight and closes the database), then waits. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
