package app.candor.payment.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import app.candor.payment.risk.Metrics.Scored;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handbook's measures on cases small enough to compute by hand. */
class MetricsTest {

  /** scikit-learn's documented example: y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]. */
  private static final List<Scored> SKLEARN_EXAMPLE =
      List.of(
          new Scored(1, 0, 0.1, false),
          new Scored(2, 0, 0.4, false),
          new Scored(3, 0, 0.35, true),
          new Scored(4, 0, 0.8, true));

  @Test
  void auc_counts_the_pairs_a_fraud_outranks_a_genuine_transaction() {
    // Pairs (fraud, genuine): 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes: 3 of 4.
    assertThat(Metrics.aucRoc(SKLEARN_EXAMPLE)).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void auc_counts_a_tie_as_half_a_pair() {
    List<Scored> tie = List.of(new Scored(1, 0, 0.5, false), new Scored(2, 0, 0.5, true));
    assertThat(Metrics.aucRoc(tie)).isEqualTo(0.5);
  }

  @Test
  void average_precision_sums_precision_at_each_recall_step() {
    // Ranked 0.8 (fraud), 0.4, 0.35 (fraud), 0.1: recall 1/2 at precision 1, 2/2 at 2/3.
    assertThat(Metrics.averagePrecision(SKLEARN_EXAMPLE))
        .isCloseTo(0.5 * 1 + 0.5 * 2.0 / 3, within(1e-12));
  }

  @Test
  void average_precision_takes_tied_scores_as_one_threshold() {
    List<Scored> rows =
        List.of(
            new Scored(1, 0, 0.9, false),
            new Scored(2, 0, 0.9, true),
            new Scored(3, 0, 0.1, true),
            new Scored(4, 0, 0.1, false));
    // Threshold 0.9: recall 1/2, precision 1/2; threshold 0.1: recall 1, precision 2/4.
    assertThat(Metrics.averagePrecision(rows)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void card_precision_ranks_cards_by_their_riskiest_transaction_and_drops_detected_cards() {
    List<Scored> rows =
        List.of(
            // Day 1: card 1 (fraud) 0.9, card 2 (genuine) 0.8 and 0.1, card 3 (fraud) 0.2.
            new Scored(1, 1, 0.9, true),
            new Scored(2, 1, 0.8, false),
            new Scored(2, 1, 0.1, false),
            new Scored(3, 1, 0.2, true),
            // Day 2: card 1 again (detected on day 1, so gone), card 3 (fraud) 0.7, card 2 0.6.
            new Scored(1, 2, 0.95, true),
            new Scored(3, 2, 0.7, true),
            new Scored(2, 2, 0.6, false),
            new Scored(4, 2, 0.5, true));
    // Day 1 top 2: cards 1 and 2, one fraud: 1/2. Day 2 top 2 without card 1: cards 3 and 2: 1/2.
    assertThat(Metrics.cardPrecisionPerDay(rows, 2)).containsExactly(0.5, 0.5);
    // With k = 3, day 1 takes cards 1, 2 and 3 (two frauds, both blocked); day 2 has only cards 2
    // and 4 left, one fraud: 1/3, for the top k counts k cards even when fewer remain.
    assertThat(Metrics.cardPrecisionPerDay(rows, 3)).containsExactly(2.0 / 3, 1.0 / 3);
  }
}
