package app.candor.payment.risk;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The model's inputs, computed from {@link Signals} alone, so that training, evaluation and the
 * live path use the same numbers.
 *
 * <p>The first fourteen follow the handbook's baseline transformations (the payer's spending
 * windows, the counterparty's fraud windows of 1, 7 and 30 days after the delay), with the amount
 * taken relative to the payer's average of the last 30 days and of the older days (8 to 37 days
 * ago, before a recent theft), which is what makes a stolen card's larger amounts stand out, and
 * with the frauds reported so far on the most recent days. Two more compare the payer's average
 * payment of the last 7 days and of today (before this transfer) with the older days' average: a
 * card used by a thief for a few days already has inflated recent averages, so an amount that alone
 * is only somewhat high is more likely a fraud on such a card (measured: BENCHMARKS.md, the
 * stolen-card scenario's AUC went from 0.914 to about 0.97). Left out, because on the simulator
 * they added noise and no skill (measured: BENCHMARKS.md): the handbook's weekend and night flags
 * (its frauds do not depend on the time), the payer's 7-day and today's raw averages and counts
 * (the ratios above keep what they knew), and the counterparty's payment counts. The last four are
 * Candor's own signals, neutral when absent (wallet, merchant, no location consent).
 */
public final class Features {

  /** The feature names, in the order of {@link #of}. */
  public static final List<String> NAMES =
      List.of(
          "amount",
          "amount_vs_30d_average",
          "amount_vs_older_average",
          "recent_average_vs_older",
          "today_average_vs_older",
          "payments_today",
          "today_vs_usual_day",
          "payer_confirmed_frauds",
          "counterparty_fraud_ratio_1d",
          "counterparty_fraud_ratio_7d",
          "counterparty_fraud_ratio_30d",
          "counterparty_confirmed_frauds_30d",
          "counterparty_recent_confirmed_frauds",
          "counterparty_recent_fraud_share",
          "payment_method_age_hours",
          "other_accounts_with_same_card",
          "recipient_account_age_hours",
          "km_from_usual");

  static final int RECENT_AVERAGE = 3;
  static final int PAYMENTS_TODAY = 5;
  static final int PAYER_FRAUDS = 7;
  static final int COUNTERPARTY_LAST = 13;
  static final int PAYMENT_METHOD_AGE = 14;
  static final int SAME_CARD = 15;
  static final int RECIPIENT_AGE = 16;
  static final int KM_FROM_USUAL = 17;

  /** The value of an age feature when there is no such age (wallet, merchant): 100 years. */
  static final double NO_AGE_HOURS = 876_000;

  private Features() {}

  /** The feature vector of one transfer, in the order of {@link #NAMES}. */
  public static double[] of(Signals s) {
    AccountWindows payer = s.payer();
    AccountWindows cp = s.counterparty();
    double amount = s.amountMinor();
    double usualPerDay = Math.max(payer.last30().count() / 30.0, 1.0 / 30);
    return new double[] {
      amount,
      ratio(amount, payer.last30()),
      ratio(amount, payer.delayed30()),
      averages(payer.last7(), payer.delayed30()),
      averages(payer.today(), payer.delayed30()),
      payer.today().count() + 1,
      (payer.today().count() + 1) / usualPerDay,
      payer.delayed30().confirmedFrauds() + payer.recent().confirmedFrauds(),
      cp.delayed1().fraudRatio(),
      cp.delayed7().fraudRatio(),
      cp.delayed30().fraudRatio(),
      cp.delayed30().confirmedFrauds(),
      cp.recent().confirmedFrauds(),
      cp.recent().fraudRatio(),
      hours(s.paymentMethodAge().orElse(null)),
      s.otherAccountsWithSameCard(),
      hours(s.recipientAccountAge().orElse(null)),
      s.kmFromUsual().orElse(0.0)
    };
  }

  /** The amount over the window's average, 1 (nothing unusual) when the window is empty. */
  private static double ratio(double amount, WindowTotals window) {
    return window.averageMinor().isPresent() ? amount / window.averageMinor().getAsDouble() : 1;
  }

  /**
   * The recent window's average amount over the older window's: 1 (nothing to compare) when the
   * older window is empty, 0 when the recent one is.
   */
  static double averages(WindowTotals recent, WindowTotals older) {
    if (older.averageMinor().isEmpty()) {
      return 1;
    }
    return recent.averageMinor().orElse(0) / older.averageMinor().getAsDouble();
  }

  private static double hours(@Nullable Duration age) {
    return age == null ? NO_AGE_HOURS : Math.max(0, age.toSeconds() / 3600.0);
  }
}
