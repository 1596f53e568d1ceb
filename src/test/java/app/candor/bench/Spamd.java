package app.candor.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A spamd (Debian's {@code spamassassin} package) started for one evaluation: on a free loopback
 * port, local tests only ({@code -L}), no per-user configuration ({@code -x}), a fixed number of
 * children, and the system's site configuration copied with {@code use_bayes 0} and {@code
 * bayes_auto_learn 0} added, so no Bayes database is trained or read. Messages are checked over
 * spamd's own protocol ({@code CHECK SPAMC/1.5}), as {@code spamc} does.
 */
final class Spamd implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final Path site;
  private final int port;

  private Spamd(Process process, Path site, int port) {
    this.process = process;
    this.site = site;
    this.port = port;
  }

  static Spamd start(int children) throws IOException, InterruptedException {
    Path site = Files.createTempDirectory("candor-spamd-site");
    copy(Path.of("/etc/spamassassin"), site);
    // spamd drops root for nobody, who must read the copy
    Files.setPosixFilePermissions(site, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        site.resolve("local.cf"),
        "\n# Candor's SpamEval: no Bayes\nuse_bayes 0\nbayes_auto_learn 0\n",
        java.nio.file.StandardOpenOption.APPEND);
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
            "spamd",
            "-L",
            "-x",
            "--min-children=" + children,
            "--max-children=" + children,
            "--listen=127.0.0.1",
            "--port=" + port,
            "--siteconfigpath=" + site,
            "--syslog=stderr");
    if ("root".equals(System.getProperty("user.name"))) {
      builder.command().add("--username=nobody");
    }
    Process process =
        builder
            .redirectErrorStream(true)
            .redirectOutput(site.resolve("spamd.log").toFile())
            .start();
    Spamd spamd = new Spamd(process, site, port);
    try {
      spamd.awaitReady();
      return spamd;
    } catch (IOException | InterruptedException | RuntimeException e) {
      spamd.close();
      throw e;
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("spamd exited: " + Files.readString(site.resolve("spamd.log")));
      }
      try {
        check("Subject: ping\n\nping\n".getBytes(StandardCharsets.US_ASCII));
        return;
      } catch (IOException notYet) {
        Thread.sleep(500);
      }
    }
    throw new IOException("spamd did not answer within " + START_TIMEOUT);
  }

  /** True when SpamAssassin judges the full message spam (its score reaches the required 5.0). */
  boolean check(byte[] message) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(300_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("CHECK SPAMC/1.5\r\nContent-length: " + message.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(message);
      out.flush();
      socket.shutdownOutput();
      String answer = new String(readAll(socket.getInputStream()), StandardCharsets.US_ASCII);
      if (!answer.startsWith("SPAMD/") || !answer.contains(" 0 EX_OK")) {
        throw new IOException("spamd answered: " + answer.lines().findFirst().orElse(""));
      }
      return answer.lines().anyMatch(l -> l.startsWith("Spam: True"));
    }
  }

  /**
   * CPU seconds used so far by spamd and its children, living ({@code utime + stime} of each) and
   * reaped (the parent's {@code cutime + cstime}), from {@code /proc}.
   */
  double cpuSeconds() throws IOException {
    long ticks = 0;
    String[] parent = stat(process.pid());
    ticks += sum(parent, 11, 12, 13, 14);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String[] child = stat(Long.parseLong(name));
          if (Long.parseLong(child[1]) == process.pid()) {
            ticks += sum(child, 11, 12);
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return ticks / (double) CLOCK_TICKS;
  }

  private static final int CLOCK_TICKS = 100;

  /** The fields of {@code /proc/pid/stat} after the command name: [0] state, [1] ppid, ... */
  private static String[] stat(long pid) throws IOException {
    String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
  }

  private static long sum(String[] fields, int... at) {
    long total = 0;
    for (int i : at) {
      total += Long.parseLong(fields[i]);
    }
    return total;
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        Files.createDirectories(target.getParent());
        Files.copy(f, target);
      }
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(site)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String version() {
    try {
      Process p = new ProcessBuilder("spamassassin", "--version").redirectErrorStream(true).start();
      List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
      p.waitFor();
      return lines.isEmpty() ? "SpamAssassin (version unknown)" : lines.get(0).trim();
    } catch (IOException e) {
      return "SpamAssassin (not installed)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "SpamAssassin (version unknown)";
    }
  }
}
