package app.candor.communication.spam;

import app.candor.communication.spam.TextFeatures.Extracted;
import app.candor.communication.spam.TextFeatures.Signal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    Map<String, Double> parts = new LinkedHashMap<>();
    parts.put("text_model", wording);
    for (Signal s : signals) {
      parts.merge(s.code, model.weight(s.bucket), Double::sum);
    }
    return parts.entrySet().stream()
        .filter(p -> p.getValue() >= REASON_MIN_LOGIT)
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(p -> new Reason(p.getKey(), detail(p.getKey(), features, p.getValue())))
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
