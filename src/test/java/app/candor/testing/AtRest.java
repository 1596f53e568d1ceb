package app.candor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What is at rest: every file under a data directory (SQLite's database, WAL and shared memory,
 * keys, blobs), and on PostgreSQL a {@code pg_dump} of the test's schema, searched for byte
 * patterns as they are, never decoded.
 */
public final class AtRest {
  private AtRest() {}

  /**
   * Where {@code needle} is at rest: file paths under {@code dataDir} relative to it, and {@code
   * pg_dump} when {@code dbUrl} names a PostgreSQL schema whose dump holds it.
   */
  public static List<String> find(Path dataDir, Optional<String> dbUrl, byte[] needle)
      throws IOException, InterruptedException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          if (contains(in, needle)) {
            hits.add(dataDir.relativize(f).toString());
          }
        }
      }
    }
    if (dbUrl.isPresent() && dbUrl.get().startsWith("jdbc:postgresql:")) {
      Process dump = pgDump(dbUrl.get());
      try (InputStream in = dump.getInputStream()) {
        if (contains(in, needle)) {
          hits.add("pg_dump");
        }
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      if (dump.waitFor() != 0) {
        throw new IllegalStateException("pg_dump failed");
      }
    }
    return hits;
  }

  /** Whether the stream holds {@code needle}, read in blocks (files may be large). */
  static boolean contains(InputStream in, byte[] needle) throws IOException {
    byte[] buffer = new byte[1 << 20];
    int kept = 0;
    int n;
    while ((n = in.read(buffer, kept, buffer.length - kept)) > 0) {
      int end = kept + n;
      if (indexOf(buffer, end, needle) >= 0) {
        return true;
      }
      kept = Math.min(needle.length - 1, end);
      System.arraycopy(buffer, end - kept, buffer, 0, kept);
    }
    return false;
  }

  private static int indexOf(byte[] haystack, int length, byte[] needle) {
    outer:
    for (int i = 0; i <= length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Process pgDump(String jdbcUrl) throws IOException {
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String schema = "";
    String user = "postgres";
    for (String kv : uri.getQuery().split("&")) {
      if (kv.startsWith("currentSchema=")) {
        schema = kv.substring("currentSchema=".length());
      } else if (kv.startsWith("user=")) {
        user = kv.substring("user=".length());
      }
    }
    return new ProcessBuilder(
            "pg_dump",
            "-h",
            uri.getHost(),
            "-p",
            Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()),
            "-U",
            user,
            "-n",
            schema,
            uri.getPath().substring(1))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** {@code text} as UTF-8 bytes. */
  public static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
