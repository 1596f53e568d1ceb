package app.candor.payment.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows from daily totals: what each one covers, and what the fraud windows skip. */
class AccountWindowsTest {

  private static final LocalDate TODAY = LocalDate.of(2026, 12, 7);

  /** One transfer of 100 a day for a year, the day {@code n} days ago a fraud when n % 5 == 0. */
  private static List<DayTotals> year() {
    List<DayTotals> days = new ArrayList<>();
    for (int n = 0; n < 365; n++) {
      days.add(new DayTotals(TODAY.minusDays(n), 1, 100, n % 5 == 0 ? 1 : 0));
    }
    return days;
  }

  @Test
  void spending_windows_end_today_and_fraud_windows_end_eight_days_ago() {
    AccountWindows w = AccountWindows.of(year(), TODAY);

    assertThat(w.today()).isEqualTo(new WindowTotals(1, 100, 1));
    assertThat(w.last7().count()).isEqualTo(7);
    assertThat(w.last30().count()).isEqualTo(30);
    // delayed1 is the day 8 days ago; delayed7 days 8-14 (10 is a fraud day); delayed30 days 8-37.
    assertThat(w.delayed1()).isEqualTo(new WindowTotals(1, 100, 0));
    assertThat(w.delayed7()).isEqualTo(new WindowTotals(7, 700, 1));
    assertThat(w.delayed30()).isEqualTo(new WindowTotals(30, 3000, 6));
    // recent: today and the 7 days before (0 and 5 are fraud days).
    assertThat(w.recent()).isEqualTo(new WindowTotals(8, 800, 2));
  }

  @Test
  void days_after_today_or_older_than_the_windows_are_ignored_in_any_order() {
    List<DayTotals> days = new ArrayList<>(year());
    days.add(new DayTotals(TODAY.plusDays(1), 50, 5000, 0));
    java.util.Collections.reverse(days);
    List<DayTotals> needed =
        days.stream()
            .filter(
                d ->
                    !d.day().isAfter(TODAY)
                        && d.day().isAfter(TODAY.minusDays(AccountWindows.DAYS_NEEDED)))
            .toList();

    assertThat(AccountWindows.of(days, TODAY)).isEqualTo(AccountWindows.of(year(), TODAY));
    assertThat(AccountWindows.of(needed, TODAY)).isEqualTo(AccountWindows.of(year(), TODAY));
  }

  @Test
  void an_account_without_history_has_empty_windows_and_no_average() {
    AccountWindows w = AccountWindows.of(List.of(), TODAY);

    assertThat(w).isEqualTo(AccountWindows.NONE);
    assertThat(w.last30().averageMinor()).isEmpty();
    assertThat(w.delayed30().fraudRatio()).isZero();
  }
}
