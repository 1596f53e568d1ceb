package app.candor.communication.spam;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Logistic regression over sparse hashed features, fitted by stochastic gradient descent with
 * AdaGrad step sizes and an L2 penalty on the weights a step touches. The bias is not learned but
 * given (see {@link SpamTrainer}). Single-threaded and seeded, so the same data and seed always
 * give the same weights.
 */
final class LogisticRegression {

  /** One example's features: bucket indices (repeats allowed) and their values. */
  record Sparse(int[] index, float[] value) {}

  /** The fitting's settings. */
  record Settings(int epochs, double learningRate, double l2, long seed) {}

  /** A fitted model: log-odds = bias + sum of weight[index] * value. */
  record Fit(double bias, double[] weights) {

    double logit(Sparse x) {
      double z = bias;
      int[] index = x.index();
      float[] value = x.value();
      for (int i = 0; i < index.length; i++) {
        z += weights[index[i]] * value[i];
      }
      return z;
    }
  }

  private LogisticRegression() {}

  /**
   * Fits the weights on {@code rows} of {@code examples} (labels {@code spam}) with the bias held
   * at {@code bias}.
   */
  static Fit fit(
      List<Sparse> examples, boolean[] spam, int[] rows, double bias, Settings settings) {
    double[] w = new double[TextFeatures.SIZE];
    double[] squared = new double[TextFeatures.SIZE];
    int[] order = rows.clone();
    SplittableRandom random = new SplittableRandom(settings.seed());
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      shuffle(order, random);
      for (int row : order) {
        Sparse x = examples.get(row);
        double g = SpamClassifier.sigmoid(new Fit(bias, w).logit(x)) - (spam[row] ? 1 : 0);
        int[] index = x.index();
        float[] value = x.value();
        for (int i = 0; i < index.length; i++) {
          int j = index[i];
          double grad = g * value[i] + settings.l2() * w[j];
          squared[j] += grad * grad;
          w[j] -= settings.learningRate() * grad / Math.sqrt(squared[j] + 1e-8);
        }
      }
    }
    return new Fit(bias, w);
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
