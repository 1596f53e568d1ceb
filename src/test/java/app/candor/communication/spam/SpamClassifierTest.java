package app.candor.communication.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SpamClassifierTest {

  /** What {@code ./candor spam train} printed for the committed model on the test split. */
  private static final int TEST_TRUE_POSITIVES = 460;

  private static final int TEST_FALSE_POSITIVES = 3;
  private static final int TEST_TRUE_NEGATIVES = 1064;
  private static final int TEST_FALSE_NEGATIVES = 22;

  private static final List<String> SPAM =
      List.of(
          "CONGRATULATIONS!!! You have been selected to receive a FREE $1000 gift card. Click here"
              + " http://claim-prize.example.com now to claim your prize before it expires!!!",
          "Make money fast! Earn $5,000 a week working from home. No experience needed. Order now"
              + " and get a free bonus. To be removed from our mailing list click here"
              + " http://www.example.biz/remove",
          "Lowest mortgage rates guaranteed! Refinance today and save thousands of dollars. Act now,"
              + " this limited time offer will not last. Call toll free 1-800-555-0199. Click below"
              + " to apply http://www.example.com/apply");

  private static final List<String> HAM =
      List.of(
          "Hi Anna, are we still on for lunch tomorrow? I can bring the notes from Tuesday's"
              + " meeting.",
          "I think the bug is in the kernel module, the patch you sent last week fixed the build"
              + " but the driver still crashes on boot. Can you check the logs?",
          "Thanks for the photos from the weekend, the kids loved the lake. Say hello to your"
              + " parents from us.");

  private static final Pattern DETAIL =
      Pattern.compile(
          "the wording resembles known spam \\(\\+\\d+\\.\\d log-odds\\)|\\d+ links?|\\d+% of the"
              + " letters are capitals|\\d+ exclamation marks?|\\d+ currency signs?");

  private final SpamClassifier classifier = SpamClassifier.shipped();

  @Test
  void the_committed_model_gives_the_figures_training_printed_on_the_test_split() throws Exception {
    assumeTrue(
        SpamCorpus.present(SpamCorpus.DEFAULT_ROOT),
        "the SpamAssassin corpus is not under "
            + SpamCorpus.DEFAULT_ROOT
            + " (fetched by .ci/run with npm); skipping the figures test");
    SpamMetrics test = SpamMetrics.none();
    for (SpamCorpus.Message m : SpamCorpus.read(SpamCorpus.DEFAULT_ROOT)) {
      if (m.test()) {
        test = test.plus(m.spam(), classifier.classify(m.body()).isSpam());
      }
    }
    assertThat(test)
        .isEqualTo(
            new SpamMetrics(
                TEST_TRUE_POSITIVES,
                TEST_FALSE_POSITIVES,
                TEST_TRUE_NEGATIVES,
                TEST_FALSE_NEGATIVES));
    assertThat(test.messages()).isEqualTo(1549);
    assertThat(test.precision()).isGreaterThanOrEqualTo(0.98);
    assertThat(test.f1()).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void obvious_spam_is_judged_spam_with_reasons() {
    for (String text : SPAM) {
      Verdict verdict = classifier.classify(text);
      assertThat(verdict.verdict()).as(text).isEqualTo(Verdict.SPAM);
      assertThat(verdict.score()).isGreaterThanOrEqualTo(50);
      assertThat(verdict.reasons()).isNotEmpty();
    }
  }

  @Test
  void ordinary_messages_are_ham_without_reasons() {
    for (String text : HAM) {
      Verdict verdict = classifier.classify(text);
      assertThat(verdict.verdict()).as(text).isEqualTo(Verdict.HAM);
      assertThat(verdict.score()).isLessThan(50);
      assertThat(verdict.reasons()).isEmpty();
    }
  }

  @Test
  void empty_and_blank_texts_are_ham() {
    for (String text : List.of("", " ", "\n\t", "?!")) {
      Verdict verdict = classifier.classify(text);
      assertThat(verdict.verdict()).isEqualTo(Verdict.HAM);
      assertThat(verdict.score()).isBetween(0, 100);
    }
  }

  @Test
  void a_ten_megabyte_text_is_judged_in_bounded_time() {
    String huge = (SPAM.get(0) + " ").repeat(10_000_000 / SPAM.get(0).length());
    classifier.classify(huge);
    long start = System.nanoTime();
    Verdict verdict = classifier.classify(huge);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(verdict.verdict()).isEqualTo(Verdict.SPAM);
    assertThat(millis).isLessThan(50);
  }

  @Test
  void reasons_never_quote_the_text() {
    String marker = "Zorblaxian";
    for (String text : SPAM) {
      String marked = marker + " " + text.replace("free", marker) + " " + marker.toUpperCase();
      for (Reason reason : classifier.classify(marked).reasons()) {
        assertThat(reason.detail()).matches(DETAIL).doesNotContainIgnoringCase(marker);
        assertThat(reason.code()).isIn("text_model", "links", "shouting", "exclamations", "money");
      }
    }
  }

  @Test
  void many_threads_get_the_same_verdicts_as_one() throws Exception {
    List<String> texts = new ArrayList<>(SPAM);
    texts.addAll(HAM);
    List<Verdict> expected = texts.stream().map(classifier::classify).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Verdict>>> runs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        runs.add(
            pool.submit(
                () -> {
                  List<Verdict> last = List.of();
                  for (int i = 0; i < 2_000; i++) {
                    last = texts.stream().map(classifier::classify).toList();
                  }
                  return last;
                }));
      }
      for (Future<List<Verdict>> run : runs) {
        assertThat(run.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_written_model_reads_back_to_the_same_bytes_and_verdicts() throws Exception {
    SpamModel model = classifier.model();
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    model.write(first);
    SpamModel back = SpamModel.read(new ByteArrayInputStream(first.toByteArray()));
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    back.write(second);
    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    for (String text : SPAM) {
      assertThat(SpamClassifier.of(back).classify(text)).isEqualTo(classifier.classify(text));
    }
  }

  @Test
  void training_twice_on_the_same_texts_gives_the_same_model() throws Exception {
    List<SpamTrainer.Example> examples = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      examples.add(new SpamTrainer.Example(SPAM.get(i % SPAM.size()) + " offer " + i, true));
      examples.add(new SpamTrainer.Example(HAM.get(i % HAM.size()) + " see you " + i, false));
    }
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    SpamTrainer.train(examples).model().write(first);
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    SpamTrainer.train(examples).model().write(second);
    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
  }
}
