package app.candor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Small helpers of the usage benchmark: machine description, percentiles, CPU accounting. */
final class BenchUtil {
  private BenchUtil() {}

  static String machine() {
    Runtime rt = Runtime.getRuntime();
    String cpu = "unknown CPU";
    long memKb = 0;
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .orElse(cpu);
      memKb =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
              .filter(l -> l.startsWith("MemTotal:"))
              .findFirst()
              .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
              .orElse(0L);
    } catch (IOException e) {
      // Not Linux; keep the defaults.
    }
    return String.format(
        "%s, %d cores, %d GiB RAM, %s %s, Java %s (%s); bench JVM max heap %d MiB",
        cpu,
        rt.availableProcessors(),
        Math.round(memKb / 1024.0 / 1024.0),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getVmName(),
        rt.maxMemory() / (1024 * 1024));
  }

  /** PostgreSQL's version and the settings that decide durability and speed. */
  static String pgDescription(String url) {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      StringBuilder sb = new StringBuilder("PostgreSQL ");
      sb.append(one(st, "SHOW server_version"));
      for (String s :
          List.of(
              "fsync",
              "synchronous_commit",
              "wal_level",
              "shared_buffers",
              "max_wal_size",
              "checkpoint_timeout")) {
        sb.append(", ").append(s).append('=').append(one(st, "SHOW " + s));
      }
      return sb.toString();
    } catch (SQLException e) {
      return "PostgreSQL (version unknown: " + e.getMessage() + ")";
    }
  }

  static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The {@code p}th percentile (nearest rank) of {@code nanos}, in milliseconds. */
  static double pct(long[] nanos, double p) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** CPU seconds (user + system) a process has used so far, from /proc; -1 when unknown. */
  static double processCpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the command: state(0) ... utime(11) stime(12), in clock ticks (100 per second).
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Machine-wide {busy, total} jiffies since boot, from /proc/stat. */
  static long[] machineJiffies() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** A new, empty schema on PostgreSQL {@code url}, and the URL that uses it. */
  static String freshSchema(String url, String prefix) throws SQLException {
    String schema = prefix + "_" + Long.toHexString(System.nanoTime());
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Drops the schema a {@link #freshSchema} URL names, with everything in it. */
  static void dropSchema(String schemaUrl) {
    String schema = schemaUrl.substring(schemaUrl.lastIndexOf("currentSchema=") + 14);
    try (Connection c = DriverManager.getConnection(schemaUrl);
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA " + schema + " CASCADE");
    } catch (SQLException e) {
      System.err.println("could not drop schema " + schema + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  static long sizeOf(Path dir) {
    try (var walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Creates {@code n} demo people through the service layer, in batches of 1,000; their ids. */
  static List<String> createPeople(app.candor.Candor candor, int n, long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<String> ids = new java.util.ArrayList<>(n);
    for (int done = 0; done < n; done += 1000) {
      List<java.util.Map<String, java.util.Optional<String>>> inputs = new java.util.ArrayList<>();
      for (int i = done; i < Math.min(n, done + 1000); i++) {
        inputs.add(app.candor.cli.DemoData.person(i, random));
      }
      for (app.candor.personal.Person p : candor.people().createAll(inputs)) {
        ids.add(p.id());
      }
    }
    return ids;
  }

  static void log(String format, Object... args) {
    System.err.printf("[usage-bench %tT] " + format + "%n", prepend(new java.util.Date(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
