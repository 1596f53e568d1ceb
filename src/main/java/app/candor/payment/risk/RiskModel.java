package app.candor.payment.risk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * An additive model: the log-odds of fraud are a bias plus one step function per feature (boosted
 * decision stumps of depth one, summed per feature). Each feature's part of the score is therefore
 * a number of its own, which is what the reasons are made of.
 *
 * <p>Each step function is centred: the base features at their average over the training transfers,
 * Candor's own signals at their neutral value (wallet, merchant, no location), so a positive part
 * means "riskier than a usual transfer" and an absent signal adds nothing.
 *
 * <p>The text form, one line each ({@code #} starts a comment): {@code bias<TAB>value} and {@code
 * term<TAB>feature<TAB>t1,t2,...<TAB>v0,v1,...}: a value below {@code t1} gets {@code v0}, one in
 * {@code [t1, t2)} gets {@code v1}, and so on. It is written by the trainer, never by hand.
 */
public final class RiskModel {

  /** The model that ships, trained by {@code FraudEval --write-model}. */
  static final String RESOURCE = "risk-model.tsv";

  private final double bias;
  private final Term[] terms;

  /** One feature's step function. */
  public record Term(String feature, double[] thresholds, double[] values) {
    public Term {
      Objects.requireNonNull(feature, "feature");
      thresholds = thresholds.clone();
      values = values.clone();
      if (values.length != thresholds.length + 1) {
        throw new IllegalArgumentException(feature + ": needs one value more than thresholds");
      }
      for (int i = 1; i < thresholds.length; i++) {
        if (!(thresholds[i - 1] < thresholds[i])) {
          throw new IllegalArgumentException(feature + ": thresholds must increase");
        }
      }
    }

    /** The log-odds this feature adds at value {@code x}. */
    public double at(double x) {
      int lo = 0;
      int hi = thresholds.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (thresholds[mid] <= x) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return values[lo];
    }
  }

  public RiskModel(double bias, List<Term> terms) {
    if (terms.size() != Features.NAMES.size()) {
      throw new IllegalArgumentException(
          "a model needs one term per feature, " + Features.NAMES.size() + ": " + terms.size());
    }
    for (int i = 0; i < terms.size(); i++) {
      if (!terms.get(i).feature().equals(Features.NAMES.get(i))) {
        throw new IllegalArgumentException(
            "term " + i + " is " + terms.get(i).feature() + ", expected " + Features.NAMES.get(i));
      }
    }
    this.bias = bias;
    this.terms = terms.toArray(Term[]::new);
  }

  /** The model that ships with Candor. */
  public static RiskModel standard() {
    try (InputStream in = RiskModel.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RiskModel parse(String text) {
    double bias = Double.NaN;
    List<Term> terms = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "bias" -> bias = Double.parseDouble(f[1]);
        case "term" -> terms.add(new Term(f[1], numbers(f[2]), numbers(f[3])));
        default -> throw new IllegalArgumentException("unknown line in a risk model: " + f[0]);
      }
    }
    if (Double.isNaN(bias)) {
      throw new IllegalArgumentException("a risk model needs a bias line");
    }
    return new RiskModel(bias, terms);
  }

  /** The text form, after {@code header} (each of its lines becomes a comment). */
  public String toText(String header) {
    StringBuilder out = new StringBuilder();
    for (String line : header.split("\n")) {
      out.append("# ").append(line).append('\n');
    }
    out.append("bias\t").append(bias).append('\n');
    for (Term t : terms) {
      out.append("term\t")
          .append(t.feature())
          .append('\t')
          .append(join(t.thresholds()))
          .append('\t')
          .append(join(t.values()))
          .append('\n');
    }
    return out.toString();
  }

  public double bias() {
    return bias;
  }

  public List<Term> terms() {
    return List.of(terms);
  }

  /** Each feature's part of the log-odds, in the order of {@link Features#NAMES}. */
  public double[] contributions(double[] features) {
    double[] parts = new double[terms.length];
    for (int i = 0; i < terms.length; i++) {
      parts[i] = terms[i].at(features[i]);
    }
    return parts;
  }

  /** The log-odds of fraud. */
  public double logOdds(double[] features) {
    double sum = bias;
    for (int i = 0; i < terms.length; i++) {
      sum += terms[i].at(features[i]);
    }
    return sum;
  }

  private static double[] numbers(String csv) {
    return csv.isEmpty()
        ? new double[0]
        : Arrays.stream(csv.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static String join(double[] xs) {
    return Arrays.stream(xs).mapToObj(Double::toString).collect(Collectors.joining(","));
  }
}
