package app.candor.payment.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shipped model's scores, decisions and reasons against the signals that cause them. */
class RiskScorerTest {

  private static final RiskScorer SCORER = RiskScorer.standard();
  private static final LocalDate TODAY = LocalDate.of(2026, 12, 7);
  private static final Instant NOON = TODAY.atTime(12, 0).toInstant(ZoneOffset.UTC);

  /** A person paying about 40.00 twice a day for the last 60 days. */
  private static final AccountWindows HABITUAL = windows(60, 2, 4_000, 0);

  /** A merchant paid 20 times a day, with no fraud. */
  private static final AccountWindows CLEAN_MERCHANT = windows(60, 20, 3_000, 0);

  private static AccountWindows windows(int days, int perDay, long averageMinor, int fraudsPerDay) {
    List<DayTotals> history = new ArrayList<>();
    for (int n = 1; n <= days; n++) {
      history.add(new DayTotals(TODAY.minusDays(n), perDay, perDay * averageMinor, fraudsPerDay));
    }
    return AccountWindows.of(history, TODAY);
  }

  private static List<String> codes(Assessment a) {
    return a.reasons().stream().map(Reason::code).toList();
  }

  @Test
  void a_usual_payment_is_allowed_with_no_reason() {
    Assessment a = SCORER.score(Signals.of(3_900, NOON, HABITUAL, CLEAN_MERCHANT));

    assertThat(a.decision()).isEqualTo(Decision.ALLOW);
    assertThat(a.score()).isLessThan(RiskScorer.REVIEW_AT);
    assertThat(a.reasons()).isEmpty();
  }

  @Test
  void a_first_payment_from_a_card_added_two_minutes_ago_gives_new_payment_method() {
    Signals s =
        Signals.of(3_900, NOON, AccountWindows.NONE, CLEAN_MERCHANT)
            .withPaymentMethodAge(Duration.ofMinutes(2));

    Assessment a = SCORER.score(s);

    assertThat(codes(a)).contains("new_payment_method");
    assertThat(a.reasons())
        .filteredOn(r -> r.code().equals("new_payment_method"))
        .extracting(Reason::detail)
        .containsExactly("the card or account paying was added 2 minutes ago");
    assertThat(a.score())
        .isGreaterThan(SCORER.score(s.withPaymentMethodAge(Duration.ofDays(400))).score());
  }

  @Test
  void without_a_location_signal_there_is_never_far_from_usual() {
    Signals s = Signals.of(3_900, NOON, HABITUAL, CLEAN_MERCHANT);

    assertThat(codes(SCORER.score(s))).doesNotContain("far_from_usual");
    assertThat(codes(SCORER.score(s.withKmFromUsual(2)))).doesNotContain("far_from_usual");
    Assessment far = SCORER.score(s.withKmFromUsual(900));
    assertThat(codes(far)).contains("far_from_usual");
    assertThat(far.reasons())
        .filteredOn(r -> r.code().equals("far_from_usual"))
        .extracting(Reason::detail)
        .containsExactly("you are about 900 km from where you usually are");
  }

  @Test
  void withholding_location_consent_never_raises_a_score() {
    Signals without = Signals.of(3_900, NOON, HABITUAL, CLEAN_MERCHANT);
    for (double km : new double[] {0, 1, 5, 30}) {
      assertThat(SCORER.logOdds(without.withKmFromUsual(km)))
          .isGreaterThanOrEqualTo(SCORER.logOdds(without));
    }
  }

  @Test
  void five_times_the_usual_amount_gives_amount_unusual_in_plain_words() {
    Assessment a = SCORER.score(Signals.of(20_000, NOON, HABITUAL, CLEAN_MERCHANT));

    assertThat(codes(a)).first().isEqualTo("amount_unusual");
    assertThat(a.reasons().get(0).detail())
        .isEqualTo("5.0 times your average payment of the last 30 days");
    assertThat(a.decision()).isNotEqualTo(Decision.ALLOW);
  }

  @Test
  void a_card_spending_four_times_its_usual_this_week_gives_spending_unusual() {
    List<DayTotals> history = new ArrayList<>();
    for (int n = 1; n <= 40; n++) {
      long average = n < 7 ? 16_000 : 4_000;
      history.add(new DayTotals(TODAY.minusDays(n), 2, 2 * average, 0));
    }
    AccountWindows spendingMore = AccountWindows.of(history, TODAY);

    Assessment a = SCORER.score(Signals.of(9_000, NOON, spendingMore, CLEAN_MERCHANT));

    assertThat(codes(a)).contains("spending_unusual");
    assertThat(a.reasons())
        .filteredOn(r -> r.code().equals("spending_unusual"))
        .extracting(Reason::detail)
        .containsExactly(
            "your payments of the last 7 days average 4.0 times your usual payment (8 to 37 days"
                + " ago)");
    assertThat(a.score())
        .isGreaterThan(SCORER.score(Signals.of(9_000, NOON, HABITUAL, CLEAN_MERCHANT)).score());
  }

  @Test
  void a_merchant_whose_recent_payments_were_confirmed_fraud_gives_merchant_fraud() {
    AccountWindows compromised = windows(20, 2, 3_000, 2);

    Assessment a = SCORER.score(Signals.of(3_900, NOON, HABITUAL, compromised));

    assertThat(codes(a)).contains("merchant_fraud");
    assertThat(a.reasons().get(0).detail()).contains("this merchant");
    assertThat(a.score())
        .isGreaterThan(SCORER.score(Signals.of(3_900, NOON, HABITUAL, CLEAN_MERCHANT)).score());
  }

  @Test
  void a_card_on_many_accounts_and_a_recipient_created_minutes_ago_give_their_reasons() {
    Signals s =
        Signals.of(3_900, NOON, HABITUAL, AccountWindows.NONE)
            .withPaymentMethodAge(Duration.ofDays(300))
            .withOtherAccountsWithSameCard(6)
            .withRecipientAccountAge(Duration.ofMinutes(10));

    Assessment a = SCORER.score(s);

    assertThat(codes(a)).contains("shared_card", "new_recipient");
    assertThat(a.reasons())
        .extracting(Reason::detail)
        .contains(
            "the same card is on 6 other accounts",
            "the recipient's account was created 10 minutes ago");
  }

  @Test
  void scores_stay_within_0_and_100_and_decisions_follow_the_thresholds() {
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 20_000; i++) {
      AccountWindows payer =
          r.nextBoolean()
              ? AccountWindows.NONE
              : windows(
                  1 + r.nextInt(40), 1 + r.nextInt(30), 1 + r.nextInt(1_000_000), r.nextInt(2));
      AccountWindows merchant =
          r.nextBoolean()
              ? AccountWindows.NONE
              : windows(1 + r.nextInt(40), 1 + r.nextInt(50), 1 + r.nextInt(100_000), r.nextInt(2));
      Signals s =
          Signals.of(
                  1 + r.nextLong(100_000_000_000L),
                  NOON.plusSeconds(r.nextInt(86_400)),
                  payer,
                  merchant)
              .withOtherAccountsWithSameCard(r.nextInt(100));
      if (r.nextBoolean()) {
        s = s.withPaymentMethodAge(Duration.ofSeconds(r.nextLong(1_000_000_000L)));
      }
      if (r.nextBoolean()) {
        s = s.withRecipientAccountAge(Duration.ofSeconds(r.nextLong(1_000_000_000L)));
      }
      if (r.nextBoolean()) {
        s = s.withKmFromUsual(r.nextDouble(20_000));
      }

      Assessment a = SCORER.score(s);

      assertThat(a.score()).isBetween(0, 100);
      Decision expected =
          a.score() >= RiskScorer.DECLINE_AT
              ? Decision.DECLINE
              : a.score() >= RiskScorer.REVIEW_AT ? Decision.REVIEW : Decision.ALLOW;
      assertThat(a.decision()).isEqualTo(expected);
      assertThat(a.reasons()).extracting(Reason::code).isSubsetOf(RiskScorer.REASON_CODES);
    }
  }
}
