package app.candor.personal;

import app.candor.core.errors.CandorException;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Validation and normalisation of phone numbers (E.164, via libphonenumber) and emails. */
public final class Contact {
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  // Pragmatic email syntax: local@domain.tld, no spaces, one @, a dot in the domain.
  private static final Pattern EMAIL =
      Pattern.compile(
          "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

  private Contact() {}

  /** The E.164 form of {@code raw}, or empty when it is not a valid international number. */
  public static Optional<String> phone(String raw) {
    String trimmed = raw.trim();
    if (!trimmed.startsWith("+") || trimmed.length() > 32) {
      return Optional.empty();
    }
    try {
      PhoneNumber number = PHONES.parse(trimmed, "ZZ");
      if (!PHONES.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /** The normalised (trimmed, lower-case) form of {@code raw}, or empty when not an email. */
  public static Optional<String> email(String raw) {
    String trimmed = raw.trim();
    if (trimmed.length() > 254 || !EMAIL.matcher(trimmed).matches() || trimmed.contains("..")) {
      return Optional.empty();
    }
    return Optional.of(trimmed.toLowerCase(Locale.ROOT));
  }

  static String requirePhone(String field, String raw) {
    return phone(raw)
        .orElseThrow(
            () ->
                CandorException.invalid(
                    field, "must be a valid phone number in E.164 format, such as +14155550123"));
  }

  static String requireEmail(String field, String raw) {
    return email(raw)
        .orElseThrow(
            () ->
                CandorException.invalid(field, "must be an email address such as ana@example.org"));
  }
}
