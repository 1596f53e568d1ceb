package app.candor.payment;

import app.candor.payment.risk.AccountWindows;
import app.candor.payment.risk.Assessment;
import app.candor.payment.risk.DayTotals;
import app.candor.payment.risk.Reason;
import app.candor.payment.risk.RiskScorer;
import app.candor.payment.risk.Signals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Scores a transfer for fraud with the trained model ({@link RiskScorer}), from what the ledger
 * already knows, read in the transfer's own transaction: the payer's and the counterparty's daily
 * totals (the last {@value AccountWindows#DAYS_NEEDED} days of {@code payment_daily}, never a year
 * of transfers), the card's age and fingerprint, and the recipient's age. Every score comes with
 * the reasons that raised it, in words the person can read.
 */
final class FraudCheck {

  private static final long DAY_MILLIS = 86_400_000L;

  /**
   * What is known about the transfer before it is scored. The counterparty is empty for top-ups and
   * pay-outs: the world outside has no habits to compare with.
   */
  record Context(
      String payerAccount,
      Optional<String> counterpartyAccount,
      long amount,
      Optional<Duration> methodAge,
      long otherAccountsWithCard,
      Optional<Duration> recipientAge,
      Optional<Double> kmFromUsual) {}

  private final Clock clock;
  private final RiskScorer scorer;

  FraudCheck(Clock clock, RiskScorer scorer) {
    this.clock = clock;
    this.scorer = scorer;
  }

  Assessment assess(Handle h, Context c) {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Signals signals =
        new Signals(
            c.amount(),
            now,
            AccountWindows.of(days(h, c.payerAccount(), today), today),
            c.counterpartyAccount()
                .map(a -> AccountWindows.of(days(h, a, today), today))
                .orElse(AccountWindows.NONE),
            c.methodAge(),
            (int) Math.min(Integer.MAX_VALUE, c.otherAccountsWithCard()),
            c.recipientAge(),
            c.kmFromUsual());
    return scorer.score(signals);
  }

  /** The account's daily totals of the days its windows reach. */
  private static List<DayTotals> days(Handle h, String account, LocalDate today) {
    long from = today.toEpochDay() - AccountWindows.DAYS_NEEDED + 1;
    return h.createQuery(
            "SELECT day, transfers, amount, frauds FROM payment_daily"
                + " WHERE account_id = :a AND day BETWEEN :f AND :t")
        .bind("a", account)
        .bind("f", from)
        .bind("t", today.toEpochDay())
        .map(
            (rs, ctx) ->
                new DayTotals(
                    LocalDate.ofEpochDay(rs.getLong(1)),
                    (int) Math.min(Integer.MAX_VALUE, rs.getLong(2)),
                    rs.getLong(3),
                    (int) Math.min(Integer.MAX_VALUE, rs.getLong(4))))
        .list();
  }

  /** The assessment as answers and the report show it: {@code {score, decision, reasons}}. */
  static Map<String, Object> json(Assessment a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("score", a.score());
    out.put("decision", decision(a));
    List<Map<String, Object>> rs = new ArrayList<>();
    for (Reason r : a.reasons()) {
      rs.add(Map.of("code", r.code(), "detail", r.detail()));
    }
    out.put("reasons", rs);
    return out;
  }

  /** {@code allow}, {@code review} or {@code decline}. */
  static String decision(Assessment a) {
    return a.decision().name().toLowerCase(java.util.Locale.ROOT);
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
