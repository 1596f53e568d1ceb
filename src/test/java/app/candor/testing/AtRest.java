package app.candor.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Looks for plaintext at rest: in the data directory's files, or in a pg_dump of the schema. */
public final class AtRest {
  private AtRest() {}

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
    URI uri = URI.create(url.get().substring("jdbc:".length()));
    String schema = "";
    String user = "postgres";
    for (String kv : uri.getQuery().split("&")) {
      if (kv.startsWith("currentSchema=")) {
        schema = kv.substring("currentSchema=".length());
      } else if (kv.startsWith("user=")) {
        user = kv.substring("user=".length());
      }
    }
    Process dump =
        new ProcessBuilder(
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
            .redirectErrorStream(true)
            .start();
    byte[] out = dump.getInputStream().readAllBytes();
    assertThat(dump.waitFor()).as(new String(out, StandardCharsets.UTF_8)).isZero();
    assertThat(new String(out, StandardCharsets.UTF_8))
        .contains("CREATE TABLE " + schema + ".transfers");
    List<String> hits = new ArrayList<>();
    for (String n : needles) {
      if (indexOf(out, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
        hits.add(n + " in the pg_dump of " + schema);
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
