package app.candor.payment.risk;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the scorer needs about one transfer, read by the live path before it is posted.
 *
 * @param amountMinor the amount in minor units
 * @param at when the transfer is made (its UTC day is the "today" of the windows)
 * @param payer the paying account's windows ({@link AccountWindows#of}), before this transfer
 * @param counterparty the merchant's or recipient's windows, before this transfer: the payments it
 *     received and their confirmed frauds
 * @param paymentMethodAge how long ago the paying card or bank account was added; empty when the
 *     transfer is paid from the wallet
 * @param otherAccountsWithSameCard how many other accounts hold a card with the same fingerprint (0
 *     for the wallet and for bank accounts)
 * @param recipientAccountAge how long ago the receiving person's account was created; empty when
 *     the counterparty is a merchant
 * @param kmFromUsual how far, in km, the payer is from their usual position; present only when they
 *     have granted location consent and a position is known
 */
public record Signals(
    long amountMinor,
    Instant at,
    AccountWindows payer,
    AccountWindows counterparty,
    Optional<Duration> paymentMethodAge,
    int otherAccountsWithSameCard,
    Optional<Duration> recipientAccountAge,
    Optional<Double> kmFromUsual) {

  public Signals {
    if (amountMinor <= 0) {
      throw new IllegalArgumentException("amountMinor must be positive: " + amountMinor);
    }
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(payer, "payer");
    Objects.requireNonNull(counterparty, "counterparty");
    Objects.requireNonNull(paymentMethodAge, "paymentMethodAge");
    Objects.requireNonNull(recipientAccountAge, "recipientAccountAge");
    Objects.requireNonNull(kmFromUsual, "kmFromUsual");
    if (otherAccountsWithSameCard < 0) {
      throw new IllegalArgumentException(
          "otherAccountsWithSameCard must be >= 0: " + otherAccountsWithSameCard);
    }
  }

  /** A card payment to a merchant, paid with a method and location known to be unremarkable. */
  public static Signals of(
      long amountMinor, Instant at, AccountWindows payer, AccountWindows counterparty) {
    return new Signals(
        amountMinor,
        at,
        payer,
        counterparty,
        Optional.empty(),
        0,
        Optional.empty(),
        Optional.empty());
  }

  /** The UTC day of the transfer: the day its windows are computed for. */
  public LocalDate day() {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  public Signals withPaymentMethodAge(Duration age) {
    return new Signals(
        amountMinor,
        at,
        payer,
        counterparty,
        Optional.of(age),
        otherAccountsWithSameCard,
        recipientAccountAge,
        kmFromUsual);
  }

  public Signals withOtherAccountsWithSameCard(int accounts) {
    return new Signals(
        amountMinor,
        at,
        payer,
        counterparty,
        paymentMethodAge,
        accounts,
        recipientAccountAge,
        kmFromUsual);
  }

  public Signals withRecipientAccountAge(Duration age) {
    return new Signals(
        amountMinor,
        at,
        payer,
        counterparty,
        paymentMethodAge,
        otherAccountsWithSameCard,
        Optional.of(age),
        kmFromUsual);
  }

  public Signals withKmFromUsual(double km) {
    return new Signals(
        amountMinor,
        at,
        payer,
        counterparty,
        paymentMethodAge,
        otherAccountsWithSameCard,
        recipientAccountAge,
        Optional.of(km));
  }
}
