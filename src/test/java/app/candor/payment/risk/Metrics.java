package app.candor.payment.risk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The handbook's three measures (chapter 4; {@code performance_assessment} and {@code
 * card_precision_top_k} in chapter 3.4): AUC ROC and average precision as scikit-learn computes
 * them (tied scores count as one threshold), and card precision top-k with detected cards removed
 * from the following days.
 */
public final class Metrics {

  private Metrics() {}

  /** One scored transaction: its card (customer), day, score and label. */
  public record Scored(int card, int day, double score, boolean fraud) {}

  /** The area under the ROC curve; ties count one half (the Mann-Whitney statistic). */
  public static double aucRoc(List<Scored> rows) {
    List<Scored> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingDouble(Scored::score));
    long positives = rows.stream().filter(Scored::fraud).count();
    long negatives = rows.size() - positives;
    if (positives == 0 || negatives == 0) {
      throw new IllegalArgumentException("AUC needs both classes");
    }
    double rankSum = 0;
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j < sorted.size() && sorted.get(j).score() == sorted.get(i).score()) {
        j++;
      }
      double averageRank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        if (sorted.get(k).fraud()) {
          rankSum += averageRank;
        }
      }
      i = j;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Average precision: the sum over thresholds of precision times the recall gained there. */
  public static double averagePrecision(List<Scored> rows) {
    List<Scored> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
    long positives = rows.stream().filter(Scored::fraud).count();
    if (positives == 0) {
      throw new IllegalArgumentException("average precision needs a positive");
    }
    double ap = 0;
    int truePositives = 0;
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      int gained = 0;
      while (j < sorted.size() && sorted.get(j).score() == sorted.get(i).score()) {
        gained += sorted.get(j).fraud() ? 1 : 0;
        j++;
      }
      truePositives += gained;
      ap += (double) gained / positives * truePositives / j;
      i = j;
    }
    return ap;
  }

  /**
   * Card precision top-k of each day, in day order: the day's cards ranked by their highest
   * transaction score, the share of frauded cards among the first {@code k}; a card found in the
   * top k of a day is blocked and leaves the following days (the handbook's default).
   */
  public static List<Double> cardPrecisionPerDay(List<Scored> rows, int k) {
    Map<Integer, Map<Integer, double[]>> days = new HashMap<>();
    for (Scored s : rows) {
      double[] card =
          days.computeIfAbsent(s.day(), d -> new HashMap<>())
              .computeIfAbsent(s.card(), c -> new double[] {Double.NEGATIVE_INFINITY, 0});
      card[0] = Math.max(card[0], s.score());
      card[1] = Math.max(card[1], s.fraud() ? 1 : 0);
    }
    Set<Integer> detected = new HashSet<>();
    List<Double> out = new ArrayList<>();
    for (int day : days.keySet().stream().sorted().toList()) {
      List<Map.Entry<Integer, double[]>> cards = new ArrayList<>();
      for (Map.Entry<Integer, double[]> e : days.get(day).entrySet()) {
        if (!detected.contains(e.getKey())) {
          cards.add(e);
        }
      }
      cards.sort(
          Comparator.comparingDouble((Map.Entry<Integer, double[]> e) -> -e.getValue()[0])
              .thenComparing(Map.Entry::getKey));
      int hits = 0;
      for (int i = 0; i < Math.min(k, cards.size()); i++) {
        if (cards.get(i).getValue()[1] > 0) {
          hits++;
          detected.add(cards.get(i).getKey());
        }
      }
      out.add((double) hits / k);
    }
    return out;
  }
}
