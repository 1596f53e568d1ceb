package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.communication.spam.SpamClassifier;
import app.candor.communication.spam.SpamModel;
import app.candor.core.json.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SpamCommandTest {
  @TempDir Path dir;

  @Test
  void training_without_a_corpus_exits_2_and_writes_nothing() {
    Path out = dir.resolve("model.bin.gz");
    int exit =
        new CommandLine(new CandorCommand())
            .execute(
                "spam",
                "train",
                "--corpus",
                dir.resolve("absent").toString(),
                "--out",
                out.toString());
    assertThat(exit).isEqualTo(2);
    assertThat(out).doesNotExist();
  }

  @Test
  void training_twice_on_a_corpus_writes_the_same_model_file() throws Exception {
    Path corpus = dir.resolve("corpus");
    for (int i = 0; i < 40; i++) {
      // checksums from 0 to 9 and a to f: some land in the test split, most in training
      String checksum = Integer.toHexString(i % 16) + "0".repeat(31);
      write(corpus, "spam-1", i, checksum, "WIN a FREE prize now!!! Click http://win.example " + i);
      write(corpus, "easy-ham-1", i, checksum, "the meeting notes for the kernel patch " + i);
    }
    Path first = dir.resolve("first.bin.gz");
    Path second = dir.resolve("second.bin.gz");
    CommandLine cli = new CommandLine(new CandorCommand());
    assertThat(
            cli.execute("spam", "train", "--corpus", corpus.toString(), "--out", first.toString()))
        .isZero();
    assertThat(
            cli.execute("spam", "train", "--corpus", corpus.toString(), "--out", second.toString()))
        .isZero();

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    try (InputStream in = Files.newInputStream(first)) {
      SpamClassifier classifier = SpamClassifier.of(SpamModel.read(in));
      assertThat(classifier.classify("WIN a FREE prize now!!! Click http://win.example").isSpam())
          .isTrue();
    }
  }

  private static void write(Path corpus, String group, int i, String checksum, String body)
      throws Exception {
    Path folder = Files.createDirectories(corpus.resolve("data").resolve(group));
    String id = String.format("%05d", i);
    Map<String, Object> json =
        Map.of(
            "id",
            id,
            "group",
            group,
            "checksum",
            Map.of("type", "MD5", "value", checksum),
            "text",
            "From: x@example.com\nSubject: " + i + "\n\n" + body + "\n");
    Files.write(
        folder.resolve(id + "." + checksum + ".json"), Json.mapper().writeValueAsBytes(json));
  }
}
