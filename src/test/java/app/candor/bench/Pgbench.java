package app.candor.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's own benchmark as the reference: {@code pgbench}'s built-in TPC-B-like script (per
 * transaction: one account, teller and branch balance update, one history insert, each transaction
 * committed durably) on the same server Candor ran on, in tables of its own that are dropped
 * afterwards.
 */
final class Pgbench {
  private Pgbench() {}

  /** Initializes at scale 10 (1,000,000 accounts), runs for {@code seconds}; transactions/s. */
  static double tpcb(String jdbcUrl, int clients, int seconds) throws Exception {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String db = uri.getPath().substring(1);
    String user = "postgres";
    if (uri.getQuery() != null) {
      for (String kv : uri.getQuery().split("&")) {
        if (kv.startsWith("user=")) {
          user = kv.substring(5);
        }
      }
    }
    List<String> base =
        List.of(
            "pgbench",
            "-h",
            uri.getHost(),
            "-p",
            Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()),
            "-U",
            user);
    run(base, List.of("-i", "-q", "-s", "10", db));
    String out =
        run(
            base,
            List.of(
                "-n",
                "-c",
                Integer.toString(Math.min(clients, 64)),
                "-j",
                "2",
                "-T",
                Integer.toString(seconds),
                db));
    run(base, List.of("-i", "-I", "d", db)); // drop its tables
    Matcher m = Pattern.compile("tps = ([\\d.]+)").matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no tps in pgbench output:\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }

  private static String run(List<String> base, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(base);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("PGPASSWORD");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("pgbench failed: " + command + "\n" + out);
    }
    return out;
  }
}
