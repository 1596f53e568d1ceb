package app.candor.payment.risk;

import java.util.OptionalDouble;

/** Totals of an account over the days of one window: transfers, amount sum, confirmed frauds. */
public record WindowTotals(int count, long amountMinor, int confirmedFrauds) {

  public static final WindowTotals EMPTY = new WindowTotals(0, 0, 0);

  /** The average amount in minor units, or empty when the window holds no transfer. */
  public OptionalDouble averageMinor() {
    return count == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) amountMinor / count);
  }

  /** Confirmed frauds per transfer, 0 when the window holds no transfer (the handbook's rule). */
  public double fraudRatio() {
    return count == 0 ? 0 : (double) confirmedFrauds / count;
  }

  WindowTotals plus(DayTotals day) {
    return new WindowTotals(
        count + day.count(),
        amountMinor + day.amountMinor(),
        confirmedFrauds + day.confirmedFrauds());
  }
}
