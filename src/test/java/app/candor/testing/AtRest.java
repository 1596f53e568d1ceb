package app.candor.testing;

import static org.assertj.core.api.Assertions.assertThat;

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

  /**
   * Which of {@code needles} are at rest: in any file of the data directory (the SQLite database,
   * its WAL and shared memory, the keys), or, on PostgreSQL, in a {@code pg_dump} of the schema.
   */
  public static List<String> found(TestServer server, Path dir, List<String> needles)
      throws Exception {
    Optional<String> url = server.candor().config().dbUrl();
    if (url.isEmpty()) {
      return found(dir, needles);
    }
    Process dump = pgDump(url.get());
    byte[] out = dump.getInputStream().readAllBytes();
    assertThat(dump.waitFor()).as("pg_dump's exit status").isZero();
    assertThat(new String(out, StandardCharsets.UTF_8))
        .as("a dump of Candor's schema")
        .contains("CREATE TABLE ")
        .contains(".transfers");
    List<String> hits = new ArrayList<>();
    for (String n : needles) {
      if (indexOf(out, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
        hits.add(n + " in the pg_dump");
      }
    }
    return hits;
  }

  /** Which of {@code needles} appear in any file under {@code root}. */
  static List<String> found(Path root, List<String> needles) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        for (String n : needles) {
          if (indexOf(bytes, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
            hits.add(n + " in " + root.relativize(f));
          }
        }
      }
    }
    return hits;
  }

  /**
   * Where {@code needle} first occurs in {@code haystack}; a needle of digits only counts as a
   * token of its own (no hex digit either side), or a four-digit security code would be found by
   * chance inside the many timestamps and ids of a database file, none of which is the code.
   */
  public static int indexOf(byte[] haystack, byte[] needle) {
    boolean digits = new String(needle, StandardCharsets.UTF_8).matches("[0-9]+");
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      if (digits
          && ((i > 0 && isHex(haystack[i - 1]))
              || (i + needle.length < haystack.length && isHex(haystack[i + needle.length])))) {
        continue;
      }
      return i;
    }
    return -1;
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }
}
