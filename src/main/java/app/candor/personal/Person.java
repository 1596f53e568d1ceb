package app.candor.personal;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A person's personal information, decrypted. Lives only in memory, never in logs. */
public record Person(
    String id,
    String name,
    Optional<String> phone,
    Optional<String> email,
    Optional<LocalDate> birthDate,
    Optional<String> gender,
    Optional<String> occupation,
    Optional<Instant> phoneVerified,
    Optional<Instant> emailVerified,
    Instant createdAt,
    Instant updatedAt) {

  /** Field name (as in the catalog and the API) to value; absent values are null. */
  public Map<String, Object> values() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("phone", phone.orElse(null));
    out.put("email", email.orElse(null));
    out.put("birthDate", birthDate.map(LocalDate::toString).orElse(null));
    out.put("gender", gender.orElse(null));
    out.put("occupation", occupation.orElse(null));
    out.put("phoneVerified", phoneVerified.map(Instant::toString).orElse(null));
    out.put("emailVerified", emailVerified.map(Instant::toString).orElse(null));
    return out;
  }

  /** Never print personal data by accident. */
  @Override
  public String toString() {
    return "Person[id=" + id + ", fields masked]";
  }
}
