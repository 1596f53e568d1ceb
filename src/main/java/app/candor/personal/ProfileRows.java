package app.candor.personal;

import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How a profile is stored: each field encrypted with the person's key (bound to the person and the
 * field), phone and email also as blind indexes, and when each field was first and last collected
 * ({@code field_times}, for the report). Builds the {@code people} rows of a new person, a patch
 * and a verified address, and decrypts a row back into a {@link Person}. Pure: no SQL, the
 * repository stores what this builds.
 */
final class ProfileRows {
  private static final TypeReference<TreeMap<String, long[]>> TIMES = new TypeReference<>() {};

  private final BlindIndex blind;
  private final Clock clock;

  ProfileRows(BlindIndex blind, Clock clock) {
    this.blind = Objects.requireNonNull(blind, "blind");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The row of a new person {@code id}, every field of {@code draft} collected now. */
  PersonalRepository.Row created(Aead aead, String id, ProfileValidator.Draft draft) {
    long now = clock.millis();
    TreeMap<String, long[]> times = new TreeMap<>();
    draft.values().forEach((k, v) -> times.put(k, new long[] {now, now}));
    return new PersonalRepository.Row(
        id,
        enc(aead, id, "name", draft.name()),
        enc(aead, id, "phone", draft.phone()),
        draft.phone() == null ? null : blind.of("phone", draft.phone()),
        enc(aead, id, "email", draft.email()),
        draft.email() == null ? null : blind.of("email", draft.email()),
        enc(aead, id, "birthDate", draft.birthDate()),
        enc(aead, id, "gender", draft.gender()),
        enc(aead, id, "occupation", draft.occupation()),
        null,
        null,
        writeTimes(times),
        now,
        now);
  }

  /**
   * {@code row} with {@code patch} applied to the fields in {@code provided} (a provided field
   * absent from the patch is cleared); a changed phone or email is no longer verified.
   */
  PersonalRepository.Row patched(
      Aead aead, PersonalRepository.Row row, ProfileValidator.Draft patch, Set<String> provided) {
    String id = row.subjectId();
    long now = clock.millis();
    TreeMap<String, long[]> times = readTimes(row.fieldTimes());
    for (String field : provided) {
      if (patch.values().containsKey(field)) {
        stamp(times, field, now);
      } else {
        times.remove(field);
      }
    }
    boolean phoneChanged = provided.contains("phone");
    boolean emailChanged = provided.contains("email");
    if (phoneChanged) {
      times.remove("phoneVerified");
    }
    if (emailChanged) {
      times.remove("emailVerified");
    }
    return new PersonalRepository.Row(
        id,
        provided.contains("name") ? enc(aead, id, "name", patch.name()) : row.nameCt(),
        phoneChanged ? enc(aead, id, "phone", patch.phone()) : row.phoneCt(),
        phoneChanged ? blind.of("phone", Objects.requireNonNull(patch.phone())) : row.phoneBidx(),
        emailChanged ? enc(aead, id, "email", patch.email()) : row.emailCt(),
        emailChanged ? blind.of("email", Objects.requireNonNull(patch.email())) : row.emailBidx(),
        provided.contains("birthDate")
            ? enc(aead, id, "birthDate", patch.birthDate())
            : row.birthDateCt(),
        provided.contains("gender") ? enc(aead, id, "gender", patch.gender()) : row.genderCt(),
        provided.contains("occupation")
            ? enc(aead, id, "occupation", patch.occupation())
            : row.occupationCt(),
        phoneChanged ? null : row.phoneVerifiedAt(),
        emailChanged ? null : row.emailVerifiedAt(),
        writeTimes(times),
        row.createdAt(),
        now);
  }

  /**
   * {@code row} with the address of {@code channel} verified now, when its blind index is still
   * {@code bidx}; empty when the person changed that address meanwhile.
   */
  Optional<PersonalRepository.Row> verified(
      PersonalRepository.Row row, String channel, String bidx) {
    long now = clock.millis();
    TreeMap<String, long[]> times = readTimes(row.fieldTimes());
    if ("phone".equals(channel) && bidx.equals(row.phoneBidx())) {
      stamp(times, "phoneVerified", now);
      return Optional.of(withVerified(row, now, row.emailVerifiedAt(), writeTimes(times)));
    } else if ("email".equals(channel) && bidx.equals(row.emailBidx())) {
      stamp(times, "emailVerified", now);
      return Optional.of(withVerified(row, row.phoneVerifiedAt(), now, writeTimes(times)));
    }
    return Optional.empty();
  }

  private static PersonalRepository.Row withVerified(
      PersonalRepository.Row r, @Nullable Long phoneAt, @Nullable Long emailAt, String times) {
    return new PersonalRepository.Row(
        r.subjectId(),
        r.nameCt(),
        r.phoneCt(),
        r.phoneBidx(),
        r.emailCt(),
        r.emailBidx(),
        r.birthDateCt(),
        r.genderCt(),
        r.occupationCt(),
        phoneAt,
        emailAt,
        times,
        r.createdAt(),
        Math.max(r.updatedAt(), phoneAt == null ? 0 : phoneAt));
  }

  /** When each field of {@code row} was first and last collected. */
  static Map<String, long[]> fieldTimes(PersonalRepository.Row row) {
    return readTimes(row.fieldTimes());
  }

  private static void stamp(TreeMap<String, long[]> times, String field, long now) {
    long[] t = times.get(field);
    times.put(field, new long[] {t == null ? now : t[0], now});
  }

  private static TreeMap<String, long[]> readTimes(String json) {
    try {
      return Json.mapper().readValue(json, TIMES);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt field_times", e);
    }
  }

  private static String writeTimes(TreeMap<String, long[]> times) {
    try {
      return Json.mapper().writeValueAsString(times);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static @Nullable String enc(Aead aead, String id, String field, @Nullable String value) {
    return value == null ? null : FieldCipher.encrypt(aead, id, field, value);
  }

  private static @Nullable String dec(Aead aead, String id, String field, @Nullable String ct) {
    return ct == null ? null : FieldCipher.decrypt(aead, id, field, ct);
  }

  /** The person a row holds, decrypted with their key. */
  static Person decrypt(Aead aead, PersonalRepository.Row r) {
    String id = r.subjectId();
    String birth = dec(aead, id, "birthDate", r.birthDateCt());
    return new Person(
        id,
        Objects.requireNonNull(dec(aead, id, "name", r.nameCt())),
        Optional.ofNullable(dec(aead, id, "phone", r.phoneCt())),
        Optional.ofNullable(dec(aead, id, "email", r.emailCt())),
        Optional.ofNullable(birth).map(LocalDate::parse),
        Optional.ofNullable(dec(aead, id, "gender", r.genderCt())),
        Optional.ofNullable(dec(aead, id, "occupation", r.occupationCt())),
        Optional.ofNullable(r.phoneVerifiedAt()).map(Instant::ofEpochMilli),
        Optional.ofNullable(r.emailVerifiedAt()).map(Instant::ofEpochMilli),
        Instant.ofEpochMilli(r.createdAt()),
        Instant.ofEpochMilli(r.updatedAt()));
  }
}
