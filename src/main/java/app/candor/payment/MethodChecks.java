package app.candor.payment;

import app.candor.core.errors.Validation;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.validator.routines.IBANValidator;
import org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit;

/**
 * Checks a card or bank account as typed and reduces it to what is kept: the normalized number (to
 * be encrypted), what may be shown (brand and last 4 digits, country, holder, expiry), and nothing
 * of the security code, which is checked for shape and then dropped.
 */
final class MethodChecks {
  private static final Pattern DIGITS = Pattern.compile("\\d{12,19}");
  private static final Pattern CVC = Pattern.compile("\\d{3,4}");
  private static final int MAX_HOLDER = 200;

  /** A checked method: its type, the number to encrypt, and what may be shown. */
  record Checked(String type, String number, Map<String, Object> shown) {
    @Override
    public String toString() {
      return "Checked[" + type + ", masked]";
    }
  }

  private final Clock clock;

  MethodChecks(Clock clock) {
    this.clock = clock;
  }

  /** The checked method; throws a 400 naming each bad field ({@code card.number}, ...). */
  Checked check(MethodInput input) {
    Validation v = new Validation();
    Checked checked =
        input instanceof MethodInput.Card c ? card(c, v) : bank((MethodInput.BankAccount) input, v);
    v.throwIfInvalid();
    return checked;
  }

  private Checked card(MethodInput.Card c, Validation v) {
    String number = c.number().replace(" ", "").replace("-", "");
    if (!DIGITS.matcher(number).matches()) {
      v.add("card.number", "must be 12 to 19 digits");
    } else if (!LuhnCheckDigit.LUHN_CHECK_DIGIT.isValid(number)) {
      v.add("card.number", "is not a valid card number (its check digit is wrong)");
    }
    if (c.expMonth() < 1 || c.expMonth() > 12) {
      v.add("card.expMonth", "must be a month from 1 to 12");
    }
    if (c.expYear() < 2000 || c.expYear() > 2100) {
      v.add("card.expYear", "must be a four-digit year");
    } else if (c.expMonth() >= 1
        && c.expMonth() <= 12
        && YearMonth.of(c.expYear(), c.expMonth())
            .isBefore(YearMonth.now(clock.withZone(ZoneOffset.UTC)))) {
      v.add("card.expYear", "the card has expired");
    }
    if (!CVC.matcher(c.cvc()).matches()) {
      v.add("card.cvc", "must be 3 or 4 digits");
    }
    holder(c.holderName(), "card.holderName", v);
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("brand", brand(number).orElse("unknown"));
    shown.put("last4", number.length() >= 4 ? number.substring(number.length() - 4) : "");
    shown.put("expMonth", c.expMonth());
    shown.put("expYear", c.expYear());
    shown.put("holderName", c.holderName().strip());
    return new Checked("card", number, shown);
  }

  private Checked bank(MethodInput.BankAccount b, Validation v) {
    String iban = b.iban().replace(" ", "").toUpperCase(Locale.ROOT);
    if (!IBANValidator.getInstance().isValid(iban)) {
      v.add(
          "bankAccount.iban",
          "is not a valid IBAN (its country format or its mod-97 check digits are wrong)");
    }
    holder(b.holderName(), "bankAccount.holderName", v);
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("country", iban.length() >= 2 ? iban.substring(0, 2) : "");
    shown.put("last4", iban.length() >= 4 ? iban.substring(iban.length() - 4) : "");
    shown.put("holderName", b.holderName().strip());
    return new Checked("bank_account", iban, shown);
  }

  private static void holder(String name, String field, Validation v) {
    if (name.isBlank()) {
      v.add(field, "is required");
    } else if (name.length() > MAX_HOLDER) {
      v.add(field, "must be at most " + MAX_HOLDER + " characters");
    }
  }

  /** The card brand from the number's leading digits (issuer identification number ranges). */
  static Optional<String> brand(String number) {
    if (number.length() < 6) {
      return Optional.empty();
    }
    int two = Integer.parseInt(number.substring(0, 2));
    int four = Integer.parseInt(number.substring(0, 4));
    if (number.startsWith("4")) {
      return Optional.of("visa");
    }
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) {
      return Optional.of("mastercard");
    }
    if (two == 34 || two == 37) {
      return Optional.of("amex");
    }
    if (four == 6011 || two == 65 || (four >= 6440 && four <= 6499)) {
      return Optional.of("discover");
    }
    if (four >= 3528 && four <= 3589) {
      return Optional.of("jcb");
    }
    if (two == 36 || two == 38 || (four >= 3000 && four <= 3059)) {
      return Optional.of("diners");
    }
    if (two == 62) {
      return Optional.of("unionpay");
    }
    return Optional.empty();
  }
}
