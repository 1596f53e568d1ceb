package app.candor.communication.spam;

import app.candor.communication.spam.TextFeatures.Extracted;
import app.candor.communication.spam.TextFeatures.Signal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Judges the text of one message: the model's spam probability becomes the score (in percent) and,
 * against the model's two thresholds, the verdict. Immutable after construction, so one instance
 * serves every thread; a call keeps its running sums in objects of its own.
 *
 * <p>Reasons come from the model itself: the log-odds are a sum of parts (the wording, and each
 * counted signal), and every part that pushed the score up by at least {@value #REASON_MIN_LOGIT}
 * becomes a reason, strongest first. Ham has no reasons.
 */
public final class SpamClassifier {

  static final double REASON_MIN_LOGIT = 0.5;

  private static final class Shipped {
    static final SpamClassifier INSTANCE = new SpamClassifier(SpamModel.shipped());
  }

  private final SpamModel model;

  private SpamClassifier(SpamModel model) {
    this.model = model;
  }

  /** The classifier with the model that ships in the jar, read once. */
  public static SpamClassifier shipped() {
    return Shipped.INSTANCE;
  }

  public static SpamClassifier of(SpamModel model) {
    return new SpamClassifier(Objects.requireNonNull(model, "model"));
  }

  public SpamModel model() {
    return model;
  }

  public Verdict classify(String text) {
    Objects.requireNonNull(text, "text");
    WordSum sum = new WordSum(model.grid());
    Extracted features = TextFeatures.scan(text, sum);
    double wording = sum.total * model.scale() * features.wordScale();
    double logit = model.bias() + wording;
    List<Signal> signals = features.signals();
    for (Signal s : signals) {
      logit += model.weight(s.bucket);
    }
    double p = sigmoid(logit);
    int score = (int) Math.round(100 * p);
    if (p < model.suspiciousAt()) {
      return new Verdict(Verdict.HAM, score, List.of());
    }
    String verdict = p >= model.spamAt() ? Verdict.SPAM : Verdict.SUSPICIOUS;
    return new Verdict(verdict, score, reasons(features, wording, signals));
  }

  /** The spam probability of a text, for training and evaluation. */
  double probability(String text) {
    WordSum sum = new WordSum(model.grid());
    Extracted features = TextFeatures.scan(text, sum);
    double logit = model.bias() + sum.total * model.scale() * features.wordScale();
    for (Signal s : features.signals()) {
      logit += model.weight(s.bucket);
    }
    return sigmoid(logit);
  }

  /** Adds up the grid weights of the word features as the text is read. */
  private static final class WordSum implements IntConsumer {
    private final short[] grid;
    long total;

    WordSum(short[] grid) {
      this.grid = grid;
    }

    @Override
    public void accept(int bucket) {
      total += grid[bucket];
    }
  }

  private List<Reason> reasons(Extracted features, double wording, List<Signal> signals) {
    record Part(String code, double logit) {}
    List<Part> parts = new ArrayList<>();
    parts.add(new Part("text_model", wording));
    for (Signal s : signals) {
      String code = s.code.equals("length") ? "text_model" : s.code;
      parts.add(new Part(code, model.weight(s.bucket)));
    }
    List<Part> summed = new ArrayList<>();
    for (Part p : parts) {
      int at = -1;
      for (int i = 0; i < summed.size(); i++) {
        if (summed.get(i).code.equals(p.code)) {
          at = i;
        }
      }
      if (at < 0) {
        summed.add(p);
      } else {
        summed.set(at, new Part(p.code, summed.get(at).logit + p.logit));
      }
    }
    return summed.stream()
        .filter(p -> p.logit >= REASON_MIN_LOGIT)
        .sorted(Comparator.comparingDouble(Part::logit).reversed())
        .map(p -> new Reason(p.code, detail(p.code, features, p.logit)))
        .toList();
  }

  private static String detail(String code, Extracted f, double logit) {
    return switch (code) {
      case "text_model" ->
          String.format(Locale.ROOT, "the wording resembles known spam (+%.1f log-odds)", logit);
      case "links" -> plural(f.links(), "link");
      case "shouting" -> f.shoutingPercent() + "% of the letters are capitals";
      case "exclamations" -> plural(f.exclamations(), "exclamation mark");
      case "money" -> plural(f.money(), "currency sign");
      default -> throw new IllegalArgumentException(code);
    };
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
