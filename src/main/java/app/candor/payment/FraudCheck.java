package app.candor.payment;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Scores a transfer for fraud from what the ledger already knows, read in the transfer's own
 * transaction: the payer's daily totals (velocity, amount against their habits), the card's age and
 * fingerprint, the recipient's age, and the merchant's confirmed fraud. Every point of the score
 * comes with a reason in words, so the person can read why a payment was held back.
 *
 * <p>Thresholds: 50 and above is {@code review} (the payment goes through and is flagged), 80 and
 * above is {@code decline} (no money moves).
 */
final class FraudCheck {

  static final int REVIEW_AT = 50;
  static final int DECLINE_AT = 80;
  private static final long DAY_MILLIS = 86_400_000L;

  /** One reason a person can read, with a stable code. */
  record Reason(String code, String detail) {}

  /** The score 0-100, the decision, and why. */
  record Assessment(int score, String decision, List<Reason> reasons) {
    Map<String, Object> json() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("score", score);
      out.put("decision", decision);
      List<Map<String, Object>> rs = new ArrayList<>();
      for (Reason r : reasons) {
        rs.add(Map.of("code", r.code(), "detail", r.detail()));
      }
      out.put("reasons", rs);
      return out;
    }
  }

  /** What is known about the transfer before it is scored. */
  record Context(
      String payerAccount,
      String counterpartyAccount,
      boolean toMerchant,
      long amount,
      Optional<Duration> methodAge,
      long otherAccountsWithCard,
      Optional<Duration> recipientAge) {}

  private final Clock clock;

  FraudCheck(Clock clock) {
    this.clock = clock;
  }

  Assessment assess(Handle h, Context c) {
    long today = Math.floorDiv(clock.millis(), DAY_MILLIS);
    List<Reason> reasons = new ArrayList<>();
    int score = 0;
    long[] payerToday = totals(h, c.payerAccount(), today, today);
    long[] payerMonth = totals(h, c.payerAccount(), today - 30, today - 1);
    double usualPerDay = payerMonth[0] / 30.0;
    if (payerToday[0] >= 10 && payerToday[0] > 3 * usualPerDay) {
      score += 25;
      reasons.add(
          new Reason(
              "velocity",
              payerToday[0]
                  + " payments today, where the last 30 days averaged "
                  + String.format(java.util.Locale.ROOT, "%.1f", usualPerDay)
                  + " a day"));
    }
    if (payerMonth[0] > 0) {
      double average = (double) payerMonth[1] / payerMonth[0];
      if (c.amount() > 5 * average) {
        score += 30;
        reasons.add(
            new Reason(
                "amount_unusual",
                String.format(
                    java.util.Locale.ROOT,
                    "%.0f times the average payment of the last 30 days",
                    c.amount() / average)));
      }
    }
    if (c.methodAge().isPresent() && c.methodAge().get().toMinutes() < 60) {
      score += 20;
      reasons.add(
          new Reason(
              "new_payment_method",
              "paid with a card or account added "
                  + c.methodAge().get().toMinutes()
                  + " minutes ago"));
    }
    if (c.otherAccountsWithCard() >= 3) {
      score += 30;
      reasons.add(
          new Reason(
              "shared_card",
              "the same card is saved on " + c.otherAccountsWithCard() + " other accounts"));
    }
    if (c.recipientAge().isPresent() && c.recipientAge().get().toMinutes() < 10) {
      score += 20;
      reasons.add(
          new Reason(
              "new_recipient",
              "the recipient's account was created "
                  + c.recipientAge().get().toMinutes()
                  + " minutes ago"));
    }
    if (c.toMerchant()) {
      long frauds = totals(h, c.counterpartyAccount(), today - 30, today)[2];
      if (frauds > 0) {
        score += 25 + (int) Math.min(25, 5 * (frauds - 1));
        reasons.add(
            new Reason(
                "merchant_fraud",
                frauds
                    + " payment"
                    + (frauds == 1 ? " to this merchant was" : "s to this merchant were")
                    + " confirmed as fraud in the last 30 days"));
      }
    }
    score = Math.min(100, score);
    String decision = score >= DECLINE_AT ? "decline" : score >= REVIEW_AT ? "review" : "allow";
    return new Assessment(score, decision, List.copyOf(reasons));
  }

  /**
   * Transfers, amount and confirmed frauds of {@code account} from day {@code from} to {@code to}.
   */
  private static long[] totals(Handle h, String account, long from, long to) {
    return h.createQuery(
            "SELECT COALESCE(SUM(transfers), 0), COALESCE(SUM(amount), 0),"
                + " COALESCE(SUM(frauds), 0) FROM payment_daily"
                + " WHERE account_id = :a AND day BETWEEN :f AND :t")
        .bind("a", account)
        .bind("f", from)
        .bind("t", to)
        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
        .one();
  }

  /** Counts a transfer into both accounts' totals of its day. */
  static void count(Handle h, String account, long day, long amount) {
    h.createUpdate(
            "INSERT INTO payment_daily (account_id, day, transfers, amount, frauds)"
                + " VALUES (:a, :d, 1, :m, 0) ON CONFLICT (account_id, day) DO UPDATE SET"
                + " transfers = payment_daily.transfers + 1,"
                + " amount = payment_daily.amount + excluded.amount")
        .bind("a", account)
        .bind("d", day)
        .bind("m", amount)
        .execute();
  }

  /** Counts a confirmed fraud into an account's totals of the transfer's day. */
  static void fraud(Handle h, String account, long day) {
    h.createUpdate(
            "INSERT INTO payment_daily (account_id, day, transfers, amount, frauds)"
                + " VALUES (:a, :d, 0, 0, 1) ON CONFLICT (account_id, day) DO UPDATE SET"
                + " frauds = payment_daily.frauds + 1")
        .bind("a", account)
        .bind("d", day)
        .execute();
  }

  static long day(long millis) {
    return Math.floorDiv(millis, DAY_MILLIS);
  }
}
