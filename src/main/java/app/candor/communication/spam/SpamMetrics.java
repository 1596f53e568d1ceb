package app.candor.communication.spam;

import java.util.Locale;

/**
 * Counts of a spam-versus-ham judgement with spam as the positive class, and the figures made of
 * them. A {@code suspicious} verdict counts as not spam: only spam is held.
 */
public record SpamMetrics(
    int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

  /** Counts one judgement. */
  public SpamMetrics plus(boolean spam, boolean judgedSpam) {
    return new SpamMetrics(
        truePositives + (spam && judgedSpam ? 1 : 0),
        falsePositives + (!spam && judgedSpam ? 1 : 0),
        trueNegatives + (!spam && !judgedSpam ? 1 : 0),
        falseNegatives + (spam && !judgedSpam ? 1 : 0));
  }

  public static SpamMetrics none() {
    return new SpamMetrics(0, 0, 0, 0);
  }

  public int messages() {
    return truePositives + falsePositives + trueNegatives + falseNegatives;
  }

  public double precision() {
    int judged = truePositives + falsePositives;
    return judged == 0 ? 1 : (double) truePositives / judged;
  }

  public double recall() {
    int spam = truePositives + falseNegatives;
    return spam == 0 ? 1 : (double) truePositives / spam;
  }

  public double f1() {
    double p = precision();
    double r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  public double accuracy() {
    return messages() == 0 ? 1 : (double) (truePositives + trueNegatives) / messages();
  }

  /** One line: the four figures to three decimals, then the counts. */
  public String summary() {
    return String.format(
        Locale.ROOT,
        "precision %.3f  recall %.3f  F1 %.3f  accuracy %.3f  (%d messages, %d spam; TP %d FP %d TN"
            + " %d FN %d)",
        precision(),
        recall(),
        f1(),
        accuracy(),
        messages(),
        truePositives + falseNegatives,
        truePositives,
        falsePositives,
        trueNegatives,
        falseNegatives);
  }
}
