package app.candor.personal;

import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a valid person is: checks a client's fields ({@link PersonalService#INPUT_FIELDS}) and
 * normalises them into a {@link Draft}, reporting every problem at once. Stores nothing; whether a
 * phone or email is already taken is the service's question, asked inside its transaction.
 */
final class ProfileValidator {

  private static final Set<String> OPTIONAL_FIELDS = Set.of("birthDate", "gender", "occupation");

  private final Clock clock;

  ProfileValidator(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A validated, normalised person or patch; null means absent (or cleared in a patch). */
  record Draft(
      @Nullable String name,
      @Nullable String phone,
      @Nullable String email,
      @Nullable String birthDate,
      @Nullable String gender,
      @Nullable String occupation) {

    Map<String, String> values() {
      Map<String, String> out = new LinkedHashMap<>();
      if (name != null) out.put("name", name);
      if (phone != null) out.put("phone", phone);
      if (email != null) out.put("email", email);
      if (birthDate != null) out.put("birthDate", birthDate);
      if (gender != null) out.put("gender", gender);
      if (occupation != null) out.put("occupation", occupation);
      return out;
    }

    @Override
    public String toString() {
      return "Draft[masked]";
    }
  }

  /** What is wrong with {@code input}; empty when it is valid. */
  List<CandorException.FieldError> problems(Map<String, Optional<String>> input, boolean creating) {
    try {
      validate(input, creating);
      return List.of();
    } catch (CandorException e) {
      return e.errors();
    }
  }

  /**
   * The draft of a new person ({@code creating}: name and a phone or an email required) or of a
   * patch (only the fields present, phone and email cannot be removed); throws a {@link
   * CandorException} listing every problem.
   */
  Draft validate(Map<String, Optional<String>> input, boolean creating) {
    Validation v = new Validation();
    for (String key : input.keySet()) {
      if (!PersonalService.INPUT_FIELDS.contains(key)) {
        v.add(key, "unknown field; allowed: " + String.join(", ", PersonalService.INPUT_FIELDS));
      }
    }
    String name = text(v, input, "name", 1, 200, creating);
    String phone = null;
    String email = null;
    Optional<String> rawPhone = input.getOrDefault("phone", Optional.empty());
    Optional<String> rawEmail = input.getOrDefault("email", Optional.empty());
    if (rawPhone.isPresent()) {
      phone = Contact.phone(rawPhone.get()).orElse(null);
      if (phone == null) {
        v.add("phone", "must be a valid phone number in E.164 format, such as +14155550123");
      }
    } else if (!creating && input.containsKey("phone")) {
      v.add("phone", "cannot be removed; change it instead");
    }
    if (rawEmail.isPresent()) {
      email = Contact.email(rawEmail.get()).orElse(null);
      if (email == null) {
        v.add("email", "must be an email address such as ana@example.org");
      }
    } else if (!creating && input.containsKey("email")) {
      v.add("email", "cannot be removed; change it instead");
    }
    if (creating && rawPhone.isEmpty() && rawEmail.isEmpty()) {
      v.add("phone", "a phone or an email is required to create an account");
      v.add("email", "a phone or an email is required to create an account");
    }
    String birthDate = birthDate(v, input);
    String gender = text(v, input, "gender", 1, 50, false);
    String occupation = text(v, input, "occupation", 1, 100, false);
    v.throwIfInvalid();
    return new Draft(name, phone, email, birthDate, gender, occupation);
  }

  private @Nullable String birthDate(Validation v, Map<String, Optional<String>> input) {
    Optional<String> raw = input.getOrDefault("birthDate", Optional.empty());
    if (raw.isEmpty()) {
      return null;
    }
    try {
      LocalDate date = LocalDate.parse(raw.get().trim());
      LocalDate today = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
      if (date.isAfter(today)) {
        v.add("birthDate", "must not be in the future");
      } else if (date.isBefore(LocalDate.of(1900, 1, 1))) {
        v.add("birthDate", "must be on or after 1900-01-01");
      } else {
        return date.toString();
      }
    } catch (DateTimeParseException e) {
      v.add("birthDate", "must be a date in the form YYYY-MM-DD");
    }
    return null;
  }

  private static @Nullable String text(
      Validation v,
      Map<String, Optional<String>> input,
      String field,
      int min,
      int max,
      boolean required) {
    Optional<String> raw = input.getOrDefault(field, Optional.empty());
    if (raw.isEmpty()) {
      if (required) {
        v.add(field, "is required");
      } else if (input.containsKey(field) && !OPTIONAL_FIELDS.contains(field)) {
        v.add(field, "cannot be removed");
      }
      return null;
    }
    String value = raw.get().strip();
    if (value.length() < min) {
      v.add(field, "must not be blank");
      return null;
    }
    if (value.length() > max) {
      v.add(field, "must be at most " + max + " characters");
      return null;
    }
    if (value.chars().anyMatch(c -> Character.isISOControl(c))) {
      v.add(field, "must not contain control characters");
      return null;
    }
    return value;
  }
}
