package app.candor.payment.risk;

import app.candor.payment.risk.FraudSimulator.Dataset;
import app.candor.payment.risk.FraudSimulator.Transaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Training and evaluation on the simulator, as the handbook's chapter 3.4 does them: train on a
 * period, skip the delay period, test on the period after it, leaving out of each test day the
 * cards already known to be compromised ({@code get_train_test_set}). Features come from {@link
 * SignalReplay}, so they are what the live path would have seen.
 */
public final class ModelTraining {

  /** Days counted from the dataset's start. */
  public record Period(int trainStart, int trainDays, int delayDays, int testDays) {

    /** The handbook's: train 2018-07-25 to 07-31, delay 7 days, test 2018-08-08 to 08-14. */
    public static final Period HANDBOOK = new Period(115, 7, 7, 7);

    public int testStart() {
      return trainStart + trainDays + delayDays;
    }

    public int end() {
      return testStart() + testDays;
    }
  }

  /** The transactions of a period with their features and labels. */
  public record Rows(List<Transaction> transactions, double[][] features, boolean[] labels) {}

  /**
   * The per-day and pooled measures of a test period, with the scored rows, the fraud scenario of
   * each (0 for genuine) and the transactions they are, in the same order.
   */
  public record Evaluation(
      List<Integer> days,
      List<Double> aucPerDay,
      List<Double> apPerDay,
      List<Double> cardPrecisionPerDay,
      double aucPooled,
      double apPooled,
      int testTransactions,
      int testFrauds,
      List<Metrics.Scored> scored,
      List<Integer> scenarios,
      List<Transaction> transactions) {

    public double meanCardPrecision() {
      return cardPrecisionPerDay.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
  }

  private static final int BASE_FEATURES = Features.PAYMENT_METHOD_AGE;

  private ModelTraining() {}

  /** The rows of days {@code [from, to)}, with their features as replayed. */
  public static Rows rows(Dataset data, int from, int to) {
    List<Transaction> txs = new ArrayList<>();
    List<double[]> features = new ArrayList<>();
    SignalReplay.replay(
        data,
        from,
        to,
        (t, s) -> {
          txs.add(t);
          features.add(Features.of(s));
        });
    boolean[] labels = new boolean[txs.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = txs.get(i).fraud();
    }
    return new Rows(List.copyOf(txs), features.toArray(double[][]::new), labels);
  }

  /** The base model: the handbook-like features, learned on the training period. */
  public static RiskModel trainBase(Rows train, StumpBooster.Settings settings) {
    boolean[] use = new boolean[Features.NAMES.size()];
    double[] neutral = new double[use.length];
    for (int j = 0; j < use.length; j++) {
      use[j] = j < BASE_FEATURES;
      neutral[j] = Double.NaN;
    }
    StumpBooster.Fit fit = StumpBooster.fit(train.features(), train.labels(), use, null, settings);
    return fit.toModel(train.features(), use, neutral);
  }

  /**
   * Adds Candor's four terms to {@code base}, learned on {@code train} (rows of a simulation with
   * {@code candorSignals}) with the base terms held fixed, each centred at its neutral value and
   * kept at or above it: Candor's signals can only raise a score, so an unremarkable signal counts
   * as an absent one and withholding location consent costs nothing.
   */
  public static RiskModel addCandorTerms(
      RiskModel base, Rows train, StumpBooster.Settings settings) {
    boolean[] use = new boolean[Features.NAMES.size()];
    double[] neutral = new double[use.length];
    for (int j = 0; j < use.length; j++) {
      use[j] = j >= BASE_FEATURES;
      neutral[j] = Double.NaN;
    }
    neutral[Features.PAYMENT_METHOD_AGE] = Features.NO_AGE_HOURS;
    neutral[Features.SAME_CARD] = 0;
    neutral[Features.RECIPIENT_AGE] = Features.NO_AGE_HOURS;
    neutral[Features.KM_FROM_USUAL] = 0;
    double[] start = new double[train.labels().length];
    for (int i = 0; i < start.length; i++) {
      start[i] = base.logOdds(train.features()[i]);
    }
    RiskModel extra =
        StumpBooster.fit(train.features(), train.labels(), use, start, settings)
            .toModel(train.features(), use, neutral);
    List<RiskModel.Term> terms = new ArrayList<>(base.terms().subList(0, BASE_FEATURES));
    for (RiskModel.Term t : extra.terms().subList(BASE_FEATURES, Features.NAMES.size())) {
      double[] raised = t.values().clone();
      for (int k = 0; k < raised.length; k++) {
        raised[k] = Math.max(0, raised[k]);
      }
      terms.add(StumpBooster.compact(t.feature(), t.thresholds(), raised));
    }
    return new RiskModel(base.bias() + extra.bias(), terms);
  }

  /**
   * Scores the test period with {@code scorer}, leaving out, on each test day, the cards known to
   * be compromised: those with a fraud in the training period or up to the day before the delay
   * period's matching day (the handbook's {@code get_train_test_set}).
   */
  public static Evaluation evaluate(Dataset data, Period period, RiskScorer scorer) {
    Set<Integer> known = new HashSet<>();
    List<List<Transaction>> byDay = new ArrayList<>();
    for (int d = 0; d < data.config().days(); d++) {
      byDay.add(new ArrayList<>());
    }
    for (Transaction t : data.transactions()) {
      byDay.get(t.day()).add(t);
      if (t.fraud()
          && t.day() >= period.trainStart()
          && t.day() < period.trainStart() + period.trainDays()) {
        known.add(t.customer());
      }
    }
    List<Set<Integer>> excluded = new ArrayList<>();
    for (int i = 0; i < period.testDays(); i++) {
      for (Transaction t : byDay.get(period.trainStart() + period.trainDays() + i - 1)) {
        if (t.fraud()) {
          known.add(t.customer());
        }
      }
      excluded.add(new HashSet<>(known));
    }
    List<Metrics.Scored> scored = new ArrayList<>();
    List<Integer> scenarios = new ArrayList<>();
    List<Transaction> transactions = new ArrayList<>();
    SignalReplay.replay(
        data,
        period.testStart(),
        period.end(),
        (t, s) -> {
          if (!excluded.get(t.day() - period.testStart()).contains(t.customer())) {
            scored.add(new Metrics.Scored(t.customer(), t.day(), scorer.logOdds(s), t.fraud()));
            scenarios.add(t.scenario());
            transactions.add(t);
          }
        });
    List<Integer> days = new ArrayList<>();
    List<Double> auc = new ArrayList<>();
    List<Double> ap = new ArrayList<>();
    for (int d = period.testStart(); d < period.end(); d++) {
      int day = d;
      List<Metrics.Scored> ofDay = scored.stream().filter(s -> s.day() == day).toList();
      days.add(d);
      auc.add(Metrics.aucRoc(ofDay));
      ap.add(Metrics.averagePrecision(ofDay));
    }
    int frauds = (int) scored.stream().filter(Metrics.Scored::fraud).count();
    return new Evaluation(
        days,
        auc,
        ap,
        Metrics.cardPrecisionPerDay(scored, 100),
        Metrics.aucRoc(scored),
        Metrics.averagePrecision(scored),
        scored.size(),
        frauds,
        scored,
        scenarios,
        transactions);
  }
}
