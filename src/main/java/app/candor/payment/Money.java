package app.candor.payment;

import java.util.Map;
import java.util.Objects;

/**
 * An amount of money: a whole number of minor units (cents) in one ISO 4217 currency, never a
 * floating-point number.
 */
public record Money(long amount, String currency) {

  /** The largest amount one transfer may move: 10^12 minor units, far from overflowing a sum. */
  public static final long MAX_AMOUNT = 1_000_000_000_000L;

  public Money {
    Objects.requireNonNull(currency, "currency");
  }

  /** As the API shows it: {@code {amount, currency}}. */
  public Map<String, Object> json() {
    return Map.of("amount", amount, "currency", currency);
  }
}
