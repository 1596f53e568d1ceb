package app.candor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives a server with wrk (Debian package {@code wrk}), a separate process written in C that costs
 * the shared cores far less per request than a Java client. The requests come from a Lua script's
 * {@code request()} function; the answer is wrk's own count and latency distribution.
 */
final class Wrk {

  /** What wrk measured: requests answered, those not 2xx/3xx, socket errors, latencies in ms. */
  record Result(long requests, long non2xx, long errors, double perSecond, double p50, double p99) {
    long ok() {
      return requests - non2xx;
    }
  }

  private Wrk() {}

  /** True if a {@code wrk} binary is on the PATH. */
  static boolean available() {
    try {
      return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor()
          <= 1;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * Runs wrk against {@code http://127.0.0.1:port} for {@code seconds} with {@code connections}
   * connections over two threads; {@code lua} must define {@code request()}.
   */
  static Result run(int port, String lua, int connections, int seconds) throws Exception {
    if (!available()) {
      throw new IllegalStateException("wrk is not installed: apt-get install wrk");
    }
    Path script = Files.createTempFile("candor-wrk", ".lua");
    try {
      Files.writeString(script, lua, StandardCharsets.UTF_8);
      List<String> command =
          new ArrayList<>(
              List.of(
                  "wrk",
                  "-t" + Math.min(2, connections),
                  "-c" + connections,
                  "-d" + seconds + "s",
                  "--latency",
                  "-s",
                  script.toString(),
                  "http://127.0.0.1:" + port));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("wrk failed:\n" + out);
      }
      return parse(out);
    } finally {
      Files.deleteIfExists(script);
    }
  }

  /** A Lua string literal of {@code s} (ids, keys: no quotes or backslashes expected). */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A Lua table of string literals. */
  static String table(List<String> values) {
    StringBuilder b = new StringBuilder("{");
    for (String v : values) {
      b.append(quote(v)).append(',');
    }
    return b.append('}').toString();
  }

  static Result parse(String out) {
    long requests = number(out, "(\\d+) requests in");
    long non2xx =
        find(out, "Non-2xx or 3xx responses: (\\d+)")
            ? number(out, "Non-2xx or 3xx responses: (\\d+)")
            : 0;
    long errors = 0;
    Matcher m =
        Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
            .matcher(out);
    if (m.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(m.group(i));
      }
    }
    double perSecond = Double.parseDouble(group(out, "Requests/sec:\\s+([\\d.]+)"));
    return new Result(
        requests,
        non2xx,
        errors,
        perSecond,
        millis(group(out, "\\s50%\\s+([\\d.]+\\w+)")),
        millis(group(out, "\\s99%\\s+([\\d.]+\\w+)")));
  }

  private static boolean find(String out, String regex) {
    return Pattern.compile(regex).matcher(out).find();
  }

  private static long number(String out, String regex) {
    return Long.parseLong(group(out, regex));
  }

  private static String group(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("unexpected wrk output (no " + regex + "):\n" + out);
    }
    return m.group(1);
  }

  private static double millis(String value) {
    Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(value);
    if (!m.matches()) {
      throw new IllegalStateException("unexpected wrk latency: " + value);
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "ms" -> v;
      case "s" -> v * 1000;
      default -> v * 60_000;
    };
  }
}
