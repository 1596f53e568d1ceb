package app.candor.payment.risk;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One account's windows on the day of a transfer, from its {@link DayTotals}: the handbook's
 * windows of 1, 7 and 30 days, on UTC days instead of rolling hours.
 *
 * <ul>
 *   <li>{@code today}, {@code last7}, {@code last30}: the spending windows, ending with today
 *       (today's transfers before this one; {@code last7} is today and the 6 days before).
 *   <li>{@code delayed1}, {@code delayed7}, {@code delayed30}: the fraud windows, the same lengths
 *       but ending {@value #DELAY_DAYS} days before today ({@code delayed1} is the day 8 days ago),
 *       so every transfer in them is at least {@value #DELAY_DAYS} days old and its fraud report,
 *       if any, is in. This is the handbook's delay period (7 days): a shorter one would count the
 *       recent days, whose reports are still missing, as clean.
 *   <li>{@code recent}: the days the fraud windows skip (today and the {@value #DELAY_DAYS} days
 *       before); only its {@code confirmedFrauds} are used, as a count: the frauds reported so far,
 *       however incomplete, which is the freshest news of a compromised merchant or card.
 * </ul>
 *
 * <p>The live path reads only the last {@value #DAYS_NEEDED} days of totals, whatever the length of
 * the history kept.
 */
public record AccountWindows(
    WindowTotals today,
    WindowTotals last7,
    WindowTotals last30,
    WindowTotals delayed1,
    WindowTotals delayed7,
    WindowTotals delayed30,
    WindowTotals recent) {

  /** The handbook's delay period: fraud reports are taken as complete after this many days. */
  public static final int DELAY_DAYS = 7;

  /** How many days of totals, today included, the windows read. */
  public static final int DAYS_NEEDED = DELAY_DAYS + 31;

  /** An account with no history, such as a new one. */
  public static final AccountWindows NONE =
      new AccountWindows(
          WindowTotals.EMPTY,
          WindowTotals.EMPTY,
          WindowTotals.EMPTY,
          WindowTotals.EMPTY,
          WindowTotals.EMPTY,
          WindowTotals.EMPTY,
          WindowTotals.EMPTY);

  public AccountWindows {
    Objects.requireNonNull(today, "today");
    Objects.requireNonNull(last7, "last7");
    Objects.requireNonNull(last30, "last30");
    Objects.requireNonNull(delayed1, "delayed1");
    Objects.requireNonNull(delayed7, "delayed7");
    Objects.requireNonNull(delayed30, "delayed30");
    Objects.requireNonNull(recent, "recent");
  }

  /**
   * The windows of an account on {@code today} from its daily totals, in any order; days outside
   * the windows (older than {@value #DAYS_NEEDED} days, or after today) are ignored.
   */
  public static AccountWindows of(Iterable<DayTotals> history, LocalDate today) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(today, "today");
    WindowTotals t1 = WindowTotals.EMPTY;
    WindowTotals t7 = WindowTotals.EMPTY;
    WindowTotals t30 = WindowTotals.EMPTY;
    WindowTotals d1 = WindowTotals.EMPTY;
    WindowTotals d7 = WindowTotals.EMPTY;
    WindowTotals d30 = WindowTotals.EMPTY;
    WindowTotals recent = WindowTotals.EMPTY;
    for (DayTotals day : history) {
      long ago = ChronoUnit.DAYS.between(day.day(), today);
      if (ago < 0 || ago >= DAYS_NEEDED) {
        continue;
      }
      if (ago == 0) {
        t1 = t1.plus(day);
      }
      if (ago < 7) {
        t7 = t7.plus(day);
      }
      if (ago < 30) {
        t30 = t30.plus(day);
      }
      if (ago <= DELAY_DAYS) {
        recent = recent.plus(day);
      }
      long delayedAgo = ago - DELAY_DAYS - 1;
      if (delayedAgo == 0) {
        d1 = d1.plus(day);
      }
      if (delayedAgo >= 0 && delayedAgo < 7) {
        d7 = d7.plus(day);
      }
      if (delayedAgo >= 0 && delayedAgo < 30) {
        d30 = d30.plus(day);
      }
    }
    return new AccountWindows(t1, t7, t30, d1, d7, d30, recent);
  }
}
