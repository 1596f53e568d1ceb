package app.candor.payment.risk;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What the live path keeps per account (payer, merchant or recipient) and UTC day: how many
 * transfers, their amount sum in minor units, and how many of them were confirmed as fraud so far.
 *
 * <p>A transfer adds one to {@code count} and its amount to {@code amountMinor} of its day when it
 * is scored (after the score: the windows describe the account before the transfer). A fraud report
 * adds one to {@code confirmedFrauds} of the day of the transfer it concerns, whenever it arrives.
 */
public record DayTotals(LocalDate day, int count, long amountMinor, int confirmedFrauds) {

  public DayTotals {
    Objects.requireNonNull(day, "day");
    if (count < 0 || amountMinor < 0 || confirmedFrauds < 0 || confirmedFrauds > count) {
      throw new IllegalArgumentException(
          "day totals must be non-negative, with at most one confirmed fraud per transfer: "
              + count
              + ", "
              + amountMinor
              + ", "
              + confirmedFrauds);
    }
  }
}
