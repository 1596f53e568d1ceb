package app.candor.payment.risk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a {@link RiskModel}: gradient boosting of depth-one trees (stumps) on the logistic loss,
 * with Newton steps, shrinkage and L2 on the leaves, over features cut into quantile bins. A stump
 * splits one feature, so the sum of the stumps is one step function per feature: an additive model
 * whose parts are the reasons. Deterministic: no sampling, ties broken by feature order.
 */
public final class StumpBooster {

  /** The training's settings. */
  public record Settings(int rounds, double learningRate, double l2, int bins, double minHessian) {
    public static Settings standard() {
      return new Settings(400, 0.1, 1.0, 512, 1.0);
    }
  }

  private StumpBooster() {}

  /**
   * Trains the base terms on {@code rows} (features in the order of {@link Features#NAMES}) for the
   * features flagged in {@code use}, starting from log-odds {@code start} per row (the base rate
   * when null); returns the bias and one table of bin edges and values per feature.
   */
  public static Fit fit(
      double[][] rows, boolean[] labels, boolean[] use, double[] start, Settings settings) {
    int n = rows.length;
    int f = Features.NAMES.size();
    double[] margin = new double[n];
    double bias = 0;
    if (start == null) {
      int positives = 0;
      for (boolean l : labels) {
        positives += l ? 1 : 0;
      }
      double rate = Math.min(Math.max(positives / (double) n, 1e-6), 1 - 1e-6);
      bias = Math.log(rate / (1 - rate));
      Arrays.fill(margin, bias);
    } else {
      System.arraycopy(start, 0, margin, 0, n);
    }
    double[][] edges = new double[f][];
    int[][] bin = new int[f][];
    double[][] values = new double[f][];
    for (int j = 0; j < f; j++) {
      if (!use[j]) {
        edges[j] = new double[0];
        values[j] = new double[1];
        continue;
      }
      double[] column = new double[n];
      for (int i = 0; i < n; i++) {
        column[i] = rows[i][j];
      }
      edges[j] = cuts(column, settings.bins());
      bin[j] = new int[n];
      for (int i = 0; i < n; i++) {
        bin[j][i] = binOf(edges[j], column[i]);
      }
      values[j] = new double[edges[j].length + 1];
    }
    double[] g = new double[n];
    double[] h = new double[n];
    for (int round = 0; round < settings.rounds(); round++) {
      for (int i = 0; i < n; i++) {
        double p = 1 / (1 + Math.exp(-margin[i]));
        g[i] = p - (labels[i] ? 1 : 0);
        h[i] = Math.max(p * (1 - p), 1e-12);
      }
      double bestGain = 0;
      int bestFeature = -1;
      int bestSplit = -1;
      double bestLeft = 0;
      double bestRight = 0;
      for (int j = 0; j < f; j++) {
        if (!use[j] || edges[j].length == 0) {
          continue;
        }
        int bins = edges[j].length + 1;
        double[] gs = new double[bins];
        double[] hs = new double[bins];
        for (int i = 0; i < n; i++) {
          gs[bin[j][i]] += g[i];
          hs[bin[j][i]] += h[i];
        }
        double gTotal = 0;
        double hTotal = 0;
        for (int b = 0; b < bins; b++) {
          gTotal += gs[b];
          hTotal += hs[b];
        }
        double parent = gTotal * gTotal / (hTotal + settings.l2());
        double gLeft = 0;
        double hLeft = 0;
        for (int s = 1; s < bins; s++) {
          gLeft += gs[s - 1];
          hLeft += hs[s - 1];
          double gRight = gTotal - gLeft;
          double hRight = hTotal - hLeft;
          if (hLeft < settings.minHessian() || hRight < settings.minHessian()) {
            continue;
          }
          double gain =
              gLeft * gLeft / (hLeft + settings.l2())
                  + gRight * gRight / (hRight + settings.l2())
                  - parent;
          if (gain > bestGain) {
            bestGain = gain;
            bestFeature = j;
            bestSplit = s;
            bestLeft = -gLeft / (hLeft + settings.l2());
            bestRight = -gRight / (hRight + settings.l2());
          }
        }
      }
      if (bestFeature < 0) {
        break;
      }
      double left = settings.learningRate() * bestLeft;
      double right = settings.learningRate() * bestRight;
      for (int b = 0; b < values[bestFeature].length; b++) {
        values[bestFeature][b] += b < bestSplit ? left : right;
      }
      for (int i = 0; i < n; i++) {
        margin[i] += bin[bestFeature][i] < bestSplit ? left : right;
      }
    }
    return new Fit(bias, edges, values, margin);
  }

  /** A fit: the bias, each feature's bin edges and values, and the final log-odds per row. */
  public record Fit(double bias, double[][] edges, double[][] values, double[] margins) {

    /**
     * The model, with each used feature centred: at its mean over {@code rows} when {@code neutral}
     * is null for it, else at its value there; the bias takes the difference.
     */
    public RiskModel toModel(double[][] rows, boolean[] use, double[] neutral) {
      double b = bias;
      List<RiskModel.Term> terms = new ArrayList<>();
      for (int j = 0; j < edges.length; j++) {
        RiskModel.Term raw = compact(Features.NAMES.get(j), edges[j], values[j]);
        double centre = 0;
        if (use[j]) {
          if (Double.isNaN(neutral[j])) {
            for (double[] row : rows) {
              centre += raw.at(row[j]);
            }
            centre /= rows.length;
          } else {
            centre = raw.at(neutral[j]);
          }
        }
        double[] shifted = raw.values().clone();
        for (int k = 0; k < shifted.length; k++) {
          shifted[k] -= centre;
        }
        b += centre;
        terms.add(new RiskModel.Term(raw.feature(), raw.thresholds(), shifted));
      }
      return new RiskModel(b, terms);
    }
  }

  /** Merges neighbouring bins of equal value, so the file keeps only the real steps. */
  static RiskModel.Term compact(String name, double[] edges, double[] values) {
    List<Double> t = new ArrayList<>();
    List<Double> v = new ArrayList<>();
    v.add(values[0]);
    for (int k = 0; k < edges.length; k++) {
      if (values[k + 1] != v.get(v.size() - 1)) {
        t.add(edges[k]);
        v.add(values[k + 1]);
      }
    }
    return new RiskModel.Term(
        name,
        t.stream().mapToDouble(Double::doubleValue).toArray(),
        v.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Up to {@code bins - 1} distinct cut points at the quantiles of {@code column}. */
  static double[] cuts(double[] column, int bins) {
    double[] sorted = column.clone();
    Arrays.sort(sorted);
    double[] out = new double[bins];
    int k = 0;
    for (int q = 1; q < bins; q++) {
      double cut = sorted[(int) ((long) q * sorted.length / bins)];
      if (cut > sorted[0] && (k == 0 || cut > out[k - 1])) {
        out[k++] = cut;
      }
    }
    return Arrays.copyOf(out, k);
  }

  /** The bin of {@code x}: how many edges are at or below it (as {@link RiskModel.Term#at}). */
  static int binOf(double[] edges, double x) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
