package app.candor.communication.spam;

import app.candor.communication.spam.LogisticRegression.Fit;
import app.candor.communication.spam.LogisticRegression.Sparse;
import app.candor.communication.spam.TextFeatures.Extracted;
import app.candor.communication.spam.TextFeatures.Signal;
import com.carrotsearch.hppc.IntArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains the spam model on labelled texts, and only on them: the thresholds come from {@value
 * #FOLDS}-fold cross-validation on the same training texts, so a held-out test set is never looked
 * at.
 *
 * <p>The bias is not learned: it is held at the training texts' prior log-odds of spam, so a text
 * with nothing the model knows (an empty text, "ok", a new name) scores the base rate, and only
 * words and signals seen in training move it. A learned bias absorbs the corpus's habits instead
 * (its mails are long, its short bodies mostly spam), which would make every short chat message
 * look suspicious.
 *
 * <p>The spam threshold is the one with the best cross-validated F1 among those whose
 * cross-validated precision is at least {@value #SPAM_PRECISION} (a held message that was not spam
 * costs more than a spam let through, which recipients can still report). The suspicious threshold
 * is the lowest at which at least {@value #SUSPICIOUS_PRECISION} of the flagged texts were spam,
 * but never below {@value #MIN_SUSPICIOUS}: a text is suspicious only when the evidence in it makes
 * spam the likelier reading. Everything is seeded: the same texts give the same model, byte for
 * byte.
 */
public final class SpamTrainer {

  static final int FOLDS = 5;
  static final double SPAM_PRECISION = 0.99;
  static final double SUSPICIOUS_PRECISION = 0.90;
  static final double MIN_SUSPICIOUS = 0.5;
  static final LogisticRegression.Settings SETTINGS =
      new LogisticRegression.Settings(12, 0.2, 1e-6, 15);

  /** A training text and whether it is spam. */
  public record Example(String text, boolean spam) {
    public Example {
      Objects.requireNonNull(text, "text");
    }
  }

  /** The trained model and its cross-validated figures at the chosen spam threshold. */
  public record Result(SpamModel model, SpamMetrics crossValidated) {}

  private SpamTrainer() {}

  public static Result train(List<Example> examples) {
    if (examples.stream().noneMatch(Example::spam) || examples.stream().allMatch(Example::spam)) {
      throw new IllegalArgumentException("training needs both spam and ham examples");
    }
    List<Sparse> x = examples.stream().map(e -> vector(e.text())).toList();
    boolean[] spam = new boolean[examples.size()];
    for (int i = 0; i < spam.length; i++) {
      spam[i] = examples.get(i).spam();
    }
    double[] outOfFold = crossValidate(x, spam);
    double spamAt = threshold(outOfFold, spam, SPAM_PRECISION);
    double suspiciousAt =
        Math.min(
            spamAt, Math.max(MIN_SUSPICIOUS, threshold(outOfFold, spam, SUSPICIOUS_PRECISION)));
    SpamMetrics crossValidated = SpamMetrics.none();
    for (int i = 0; i < spam.length; i++) {
      crossValidated = crossValidated.plus(spam[i], outOfFold[i] >= spamAt);
    }
    int[] all = IntStream.range(0, x.size()).toArray();
    Fit fit = LogisticRegression.fit(x, spam, all, priorLogOdds(spam, all), SETTINGS);
    return new Result(
        SpamModel.of(fit.bias(), fit.weights(), suspiciousAt, spamAt), crossValidated);
  }

  static Sparse vector(String text) {
    IntArrayList words = new IntArrayList();
    Extracted f = TextFeatures.scan(text, words::add);
    List<Signal> signals = f.signals();
    int[] index = Arrays.copyOf(words.toArray(), f.wordCount() + signals.size());
    float[] value = new float[index.length];
    Arrays.fill(value, 0, f.wordCount(), (float) f.wordScale());
    for (int i = 0; i < signals.size(); i++) {
      index[f.wordCount() + i] = signals.get(i).bucket;
      value[f.wordCount() + i] = 1;
    }
    return new Sparse(index, value);
  }

  /** Each example's spam probability from a model that did not see it. */
  private static double[] crossValidate(List<Sparse> x, boolean[] spam) {
    int[] fold = new int[x.size()];
    int[] order = IntStream.range(0, x.size()).toArray();
    SplittableRandom random = new SplittableRandom(SETTINGS.seed());
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i = 0; i < order.length; i++) {
      fold[order[i]] = i % FOLDS;
    }
    double[] p = new double[x.size()];
    for (int f = 0; f < FOLDS; f++) {
      int k = f;
      int[] in = IntStream.range(0, x.size()).filter(i -> fold[i] != k).toArray();
      Fit fit = LogisticRegression.fit(x, spam, in, priorLogOdds(spam, in), SETTINGS);
      for (int i = 0; i < x.size(); i++) {
        if (fold[i] == k) {
          p[i] = SpamClassifier.sigmoid(fit.logit(x.get(i)));
        }
      }
    }
    return p;
  }

  /** The log-odds of spam among {@code rows}. */
  static double priorLogOdds(boolean[] spam, int[] rows) {
    int positives = 0;
    for (int row : rows) {
      positives += spam[row] ? 1 : 0;
    }
    return Math.log((double) positives / (rows.length - positives));
  }

  /**
   * The threshold with the best F1 among those reaching {@code minPrecision}, halfway between the
   * lowest flagged probability and the next one down.
   */
  static double threshold(double[] p, boolean[] spam, double minPrecision) {
    Integer[] byScore = new Integer[p.length];
    Arrays.setAll(byScore, i -> i);
    Arrays.sort(byScore, Comparator.comparingDouble((Integer i) -> -p[i]));
    int positives = 0;
    for (boolean s : spam) {
      positives += s ? 1 : 0;
    }
    int tp = 0;
    double bestF1 = -1;
    int bestK = 1;
    for (int k = 1; k <= p.length; k++) {
      tp += spam[byScore[k - 1]] ? 1 : 0;
      double precision = (double) tp / k;
      double f1 = 2.0 * tp / (k + positives);
      boolean tie = k < p.length && p[byScore[k]] == p[byScore[k - 1]];
      if (!tie && precision >= minPrecision && f1 > bestF1) {
        bestF1 = f1;
        bestK = k;
      }
    }
    double lowestFlagged = p[byScore[bestK - 1]];
    double nextDown = bestK < p.length ? p[byScore[bestK]] : 0;
    return Math.min(0.999, Math.max(0.001, (lowestFlagged + nextDown) / 2));
  }
}
