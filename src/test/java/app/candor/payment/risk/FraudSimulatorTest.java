package app.candor.payment.risk;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.payment.risk.FraudSimulator.Config;
import app.candor.payment.risk.FraudSimulator.Dataset;
import app.candor.payment.risk.FraudSimulator.Transaction;
import app.candor.payment.risk.ModelTraining.Evaluation;
import app.candor.payment.risk.ModelTraining.Period;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator against the handbook's published figures, and a quick training and evaluation on a
 * smaller simulated set.
 */
class FraudSimulatorTest {

  private static Dataset handbook;

  @BeforeAll
  static void simulate() {
    handbook = FraudSimulator.generate(Config.handbook(1));
  }

  @Test
  void the_handbook_dataset_has_its_size_and_fraud_proportions() {
    // Handbook, chapter 3.2: 1,754,155 transactions, 14,681 frauds (0.84%); by scenario (the
    // last one to mark a transaction) 973, 9,077 and 4,631.
    int n = handbook.transactions().size();
    assertThat(n).isBetween(1_650_000, 1_850_000);
    assertThat((double) handbook.frauds() / n).isBetween(0.0070, 0.0100);
    assertThat(handbook.scenario(1)).isBetween(700L, 1_300L);
    assertThat(handbook.scenario(2)).isBetween(7_500L, 10_500L);
    assertThat(handbook.scenario(3)).isBetween(3_800L, 5_500L);
  }

  @Test
  void every_original_amount_over_220_is_a_fraud_and_times_are_in_order() {
    int previous = -1;
    for (Transaction t : handbook.transactions()) {
      if (t.amountMinor() > 22_000 && t.scenario() != 3) {
        assertThat(t.fraud()).isTrue();
      }
      assertThat(t.seconds()).isGreaterThanOrEqualTo(previous);
      previous = t.seconds();
    }
  }

  @Test
  void the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    Config small = Config.handbook(7).withSize(300, 600, 40);
    Dataset a = FraudSimulator.generate(small);
    Dataset b = FraudSimulator.generate(small);
    Dataset c = FraudSimulator.generate(Config.handbook(8).withSize(300, 600, 40));

    assertThat(a.transactions()).isEqualTo(b.transactions());
    assertThat(c.transactions()).isNotEqualTo(a.transactions());
  }

  @Test
  void a_model_trained_on_a_smaller_set_ranks_its_test_frauds_far_above_chance() {
    Dataset small = FraudSimulator.generate(Config.handbook(11).withSize(2_000, 4_000, 136));
    Period period = Period.HANDBOOK;
    StumpBooster.Settings settings = new StumpBooster.Settings(150, 0.1, 1.0, 256, 1.0);
    ModelTraining.Rows train =
        ModelTraining.rows(small, period.trainStart(), period.trainStart() + period.trainDays());

    RiskModel model = ModelTraining.trainBase(train, settings);
    Evaluation trained = ModelTraining.evaluate(small, period, RiskScorer.withModel(model));
    Evaluation constant = ModelTraining.evaluate(small, period, RiskScorer.withModel(flat()));

    assertThat(trained.testFrauds()).isGreaterThan(50);
    assertThat(trained.aucPooled()).isGreaterThan(0.80);
    assertThat(trained.apPooled()).isGreaterThan(0.40);
    // The same bounds fail for a model that knows nothing.
    assertThat(constant.aucPooled()).isEqualTo(0.5);
    assertThat(constant.apPooled()).isLessThan(0.05);
  }

  /** A model whose every term is zero: the same score for every transfer. */
  private static RiskModel flat() {
    List<RiskModel.Term> terms = new ArrayList<>();
    for (String name : Features.NAMES) {
      terms.add(new RiskModel.Term(name, new double[0], new double[] {0}));
    }
    return new RiskModel(-5, terms);
  }
}
