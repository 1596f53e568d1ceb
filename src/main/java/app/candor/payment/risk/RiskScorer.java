package app.candor.payment.risk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Scores one transfer: {@code score = round(100 * P(fraud))} from the {@link RiskModel}, a decision
 * from the score, and reasons from the features that raised it.
 *
 * <p>Decision: {@link Decision#DECLINE} from {@value #DECLINE_AT}, {@link Decision#REVIEW} from
 * {@value #REVIEW_AT}, else {@link Decision#ALLOW}. On the handbook's simulator (see BENCHMARKS.md)
 * a score of {@value #REVIEW_AT} or more is about one transfer in 230, four in five of them fraud;
 * these are policy, to be moved with the investigators' capacity.
 *
 * <p>Reasons: the features are grouped by reason code; a code is given when its features together
 * add at least {@link #REASON_LOG_ODDS} to the log-odds (they at least double the odds against a
 * usual transfer), strongest first. A signal that is absent (no location consent, a wallet payment,
 * a merchant) adds nothing, so it never gives a reason.
 *
 * <p>Thread-safe and allocation-light: one call is a few microseconds.
 */
public final class RiskScorer {

  public static final int REVIEW_AT = 30;
  public static final int DECLINE_AT = 80;

  /** The log-odds a reason's features must add: ln 2, the odds at least doubled. */
  public static final double REASON_LOG_ODDS = Math.log(2);

  /** Every reason code, in the order of the features that give it. */
  public static final List<String> REASON_CODES =
      List.of(
          "amount_unusual",
          "spending_unusual",
          "velocity",
          "payer_fraud",
          "merchant_fraud",
          "new_payment_method",
          "shared_card",
          "new_recipient",
          "far_from_usual");

  private final RiskModel model;

  private RiskScorer(RiskModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The scorer with the model that ships with Candor (read once: keep the instance). */
  public static RiskScorer standard() {
    return new RiskScorer(RiskModel.standard());
  }

  public static RiskScorer withModel(RiskModel model) {
    return new RiskScorer(model);
  }

  public Assessment score(Signals signals) {
    Objects.requireNonNull(signals, "signals");
    double[] features = Features.of(signals);
    double[] parts = model.contributions(features);
    double logOdds = model.bias();
    double[] byCode = new double[REASON_CODES.size()];
    for (int i = 0; i < parts.length; i++) {
      logOdds += parts[i];
      byCode[codeOf(i)] += parts[i];
    }
    int score = (int) Math.round(100 / (1 + Math.exp(-logOdds)));
    Decision decision =
        score >= DECLINE_AT
            ? Decision.DECLINE
            : score >= REVIEW_AT ? Decision.REVIEW : Decision.ALLOW;
    return new Assessment(score, decision, reasons(byCode, signals));
  }

  /** The model's log-odds of fraud: the score before rounding, for ranking and evaluation. */
  public double logOdds(Signals signals) {
    return model.logOdds(Features.of(signals));
  }

  private static int codeOf(int feature) {
    if (feature < Features.RECENT_AVERAGE) {
      return 0;
    } else if (feature < Features.PAYMENTS_TODAY) {
      return 1;
    } else if (feature < Features.PAYER_FRAUDS) {
      return 2;
    } else if (feature == Features.PAYER_FRAUDS) {
      return 3;
    } else if (feature <= Features.COUNTERPARTY_LAST) {
      return 4;
    }
    return 5 + feature - Features.PAYMENT_METHOD_AGE;
  }

  private static List<Reason> reasons(double[] byCode, Signals s) {
    Map<Integer, Double> raised = new LinkedHashMap<>();
    for (int c = 0; c < byCode.length; c++) {
      if (byCode[c] >= REASON_LOG_ODDS) {
        raised.put(c, byCode[c]);
      }
    }
    List<Integer> codes = new ArrayList<>(raised.keySet());
    codes.sort(Comparator.comparing(raised::get).reversed());
    List<Reason> reasons = new ArrayList<>(codes.size());
    for (int c : codes) {
      reasons.add(new Reason(REASON_CODES.get(c), ReasonText.detail(c, s)));
    }
    return reasons;
  }

  /** The plain-words details, one per reason code, from the transfer's own figures. */
  static final class ReasonText {

    private ReasonText() {}

    static String detail(int code, Signals s) {
      AccountWindows payer = s.payer();
      AccountWindows cp = s.counterparty();
      return switch (code) {
        case 0 -> amountDetail(s);
        case 1 -> spendingDetail(s);
        case 2 -> {
          int today = payer.today().count() + 1;
          double usual = payer.last30().count() / 30.0;
          yield String.format(
              Locale.ROOT,
              "%s today, you usually make %s a day",
              payments(today),
              usual < 1 ? "fewer than 1" : "about " + Math.round(usual));
        }
        case 3 -> {
          int frauds = payer.delayed30().confirmedFrauds() + payer.recent().confirmedFrauds();
          yield frauds
              + (frauds == 1 ? " payment" : " payments")
              + " from this account "
              + (frauds == 1 ? "was" : "were")
              + " confirmed as fraud in the last 5 weeks";
        }
        case 4 -> {
          String who = s.recipientAccountAge().isPresent() ? "this recipient" : "this merchant";
          WindowTotals older = cp.delayed30();
          int recent = cp.recent().confirmedFrauds();
          String olderPart =
              String.format(
                  Locale.ROOT,
                  "%d of the %s %s received 8 to 37 days ago %s confirmed as fraud",
                  older.confirmedFrauds(),
                  payments(older.count()),
                  who,
                  older.confirmedFrauds() == 1 ? "was" : "were");
          String recentPart =
              recent
                  + (recent == 1 ? " payment" : " payments")
                  + " to "
                  + who
                  + " in the last 8 days "
                  + (recent == 1 ? "was" : "were")
                  + " already reported as fraud";
          yield older.confirmedFrauds() == 0
              ? recentPart
              : recent == 0 ? olderPart : olderPart + "; " + recentPart;
        }
        case 5 ->
            "the card or account paying was added "
                + ago(s.paymentMethodAge().orElseThrow().toMinutes());
        case 6 ->
            "the same card is on "
                + s.otherAccountsWithSameCard()
                + (s.otherAccountsWithSameCard() == 1 ? " other account" : " other accounts");
        case 7 ->
            "the recipient's account was created "
                + ago(s.recipientAccountAge().orElseThrow().toMinutes());
        case 8 ->
            String.format(
                Locale.ROOT,
                "you are about %d km from where you usually are",
                Math.round(s.kmFromUsual().orElseThrow()));
        default -> throw new IllegalArgumentException("no reason code " + code);
      };
    }

    private static String amountDetail(Signals s) {
      WindowTotals month = s.payer().last30();
      if (month.averageMinor().isEmpty()) {
        return "a first payment in 30 days, larger than most";
      }
      double times = s.amountMinor() / month.averageMinor().getAsDouble();
      return times >= 1.5
          ? String.format(Locale.ROOT, "%.1f times your average payment of the last 30 days", times)
          : "a large amount for a payment";
    }

    /**
     * The larger of the two recent averages against the older days' (the two features of this
     * code), as a multiple of the older average.
     */
    private static String spendingDetail(Signals s) {
      AccountWindows payer = s.payer();
      double week = Features.averages(payer.last7(), payer.delayed30());
      double today = Features.averages(payer.today(), payer.delayed30());
      return week >= today
          ? String.format(
              Locale.ROOT,
              "your payments of the last 7 days average %.1f times your usual payment (8 to 37"
                  + " days ago)",
              week)
          : String.format(
              Locale.ROOT,
              "your payments earlier today average %.1f times your usual payment (8 to 37 days"
                  + " ago)",
              today);
    }

    private static String payments(int n) {
      return n + (n == 1 ? " payment" : " payments");
    }

    private static String ago(long minutes) {
      if (minutes < 1) {
        return "less than a minute ago";
      } else if (minutes < 120) {
        return minutes + (minutes == 1 ? " minute ago" : " minutes ago");
      } else if (minutes < 48 * 60) {
        return (minutes / 60) + " hours ago";
      }
      return (minutes / 1440) + " days ago";
    }
  }
}
