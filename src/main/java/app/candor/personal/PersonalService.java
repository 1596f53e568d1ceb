package app.candor.personal;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The rules of personal information: what a valid person is, how each field is stored (encrypted
 * with the person's key, phone and email also as blind indexes), who may read which field.
 */
public final class PersonalService {

  /** The fields a client may send, in the order errors are reported. */
  public static final List<String> INPUT_FIELDS =
      List.of("name", "phone", "email", "birthDate", "gender", "occupation");

  private static final Set<String> OPTIONAL_FIELDS = Set.of("birthDate", "gender", "occupation");
  private static final TypeReference<TreeMap<String, long[]>> TIMES = new TypeReference<>() {};

  private final Database db;
  private final SubjectKeys keys;
  private final BlindIndex blind;
  private final Clock clock;
  private final PersonalRepository repo = new PersonalRepository();

  /** A profile read: the person sees everything, others the fields of the purpose they name. */
  public static final Access PROFILE = Access.namedPurpose("a person's profile", Category.PERSONAL);

  /** Changing a profile: the person, services with {@code account}, operators. */
  public static final Access CHANGE =
      new Access(
          "changing a profile",
          Optional.of(Category.PERSONAL),
          Optional.of(Purpose.ACCOUNT),
          List.of(),
          true,
          Access.Operators.WITH_PURPOSE);

  public PersonalService(Database db, SubjectKeys keys, BlindIndex blind, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.blind = Objects.requireNonNull(blind, "blind");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Only services with {@code account}, and operators, create people. */
  public Person create(Caller caller, Map<String, Optional<String>> input) {
    if (caller instanceof Caller.Service s && !s.may(Purpose.ACCOUNT)) {
      throw CandorException.forbidden("creating people needs a service key with 'account'");
    }
    if (!(caller instanceof Caller.Service) && !(caller instanceof Caller.Admin)) {
      throw CandorException.forbidden("only services with 'account' and operators create people");
    }
    Draft draft = validate(input, true);
    String id = UUID.randomUUID().toString();
    return db.inTransaction(h -> insert(h, id, draft));
  }

  /** Inserts a validated person inside the caller's transaction (bulk creation uses it too). */
  Person insert(Handle h, String id, Draft draft) {
    rejectDuplicates(h, draft, Optional.empty());
    Aead aead = keys.create(h, id);
    long now = clock.millis();
    TreeMap<String, long[]> times = new TreeMap<>();
    draft.values().forEach((k, v) -> times.put(k, new long[] {now, now}));
    PersonalRepository.Row row =
        new PersonalRepository.Row(
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
    try {
      repo.insert(h, row);
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw CandorException.conflict("the phone or email is already registered");
      }
      throw e;
    }
    return decrypt(aead, row);
  }

  /** Validates and inserts many people in one transaction; for the demo and benchmarks. */
  public List<Person> createAll(List<Map<String, Optional<String>>> inputs) {
    List<Draft> drafts = inputs.stream().map(i -> validate(i, true)).toList();
    return db.inTransaction(
        h -> {
          List<Person> out = new ArrayList<>(drafts.size());
          for (Draft d : drafts) {
            out.add(insert(h, UUID.randomUUID().toString(), d));
          }
          return out;
        });
  }

  /**
   * The person's profile: their id and the fields {@code grant} may reveal; empty when there is no
   * such person (never was, or erased since the grant).
   */
  public Optional<Map<String, Object>> read(Grant grant) {
    return find(grant.subjectId())
        .map(
            person -> {
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("id", person.id());
              person
                  .values()
                  .forEach(
                      (field, value) -> {
                        if (grant.reveal("personal." + field)) {
                          out.put(field, value);
                        }
                      });
              return out;
            });
  }

  /** Applies {@code changes} (null clears an optional field) to the granted person. */
  public void update(Grant grant, Map<String, Optional<String>> changes) {
    String id = grant.subjectId();
    Draft patch = validate(changes, false);
    db.useTransaction(
        h -> {
          PersonalRepository.Row row =
              repo.find(h, id).orElseThrow(() -> CandorException.notFound("person"));
          Aead aead = keys.find(id).orElseThrow(() -> CandorException.notFound("person"));
          rejectDuplicates(h, patch, Optional.of(id));
          repo.update(h, applyPatch(aead, row, patch, changes.keySet()));
        });
  }

  /**
   * The names of those of {@code subjectIds} who still exist, decrypting the name only (people
   * nearby shows names, and nothing else of the record is needed). Call it through the gate.
   */
  public Map<String, String> names(java.util.Collection<String> subjectIds) {
    Map<String, String> out = new java.util.HashMap<>();
    List<String> ids = new ArrayList<>(subjectIds);
    for (int i = 0; i < ids.size(); i += 500) {
      List<String> slice = ids.subList(i, Math.min(ids.size(), i + 500));
      List<Map.Entry<String, String>> rows =
          db.withHandle(
              h ->
                  h.createQuery("SELECT subject_id, name_ct FROM people WHERE subject_id IN (<s>)")
                      .bindList("s", slice)
                      .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                      .list());
      for (Map.Entry<String, String> row : rows) {
        keys.find(row.getKey())
            .ifPresent(
                aead ->
                    out.put(
                        row.getKey(),
                        FieldCipher.decrypt(aead, row.getKey(), "name", row.getValue())));
      }
    }
    return out;
  }

  public boolean exists(String subjectId) {
    return db.withHandle(h -> repo.exists(h, subjectId));
  }

  /** Ids of the first {@code limit} people created (the demo prints a few to try). */
  public List<String> sampleIds(int limit) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT subject_id FROM people ORDER BY created_at, subject_id LIMIT :n")
                .bind("n", limit)
                .mapTo(String.class)
                .list());
  }

  /** The person, decrypted; empty when unknown or erased. */
  public Optional<Person> find(String id) {
    Optional<PersonalRepository.Row> row = db.withHandle(h -> repo.find(h, id));
    if (row.isEmpty()) {
      return Optional.empty();
    }
    return keys.find(id).map(aead -> decrypt(aead, row.get()));
  }

  /** The person registered with this phone ({@code channel = "phone"}) or email. */
  public Optional<String> findByAddress(String channel, String normalized) {
    return db.withHandle(h -> repo.findByIndex(h, channel, blind.of(channel, normalized)));
  }

  /** Records that the person proved they own the address whose blind index is {@code bidx}. */
  void markVerified(Handle h, String subjectId, String channel, String bidx) {
    PersonalRepository.Row row = repo.find(h, subjectId).orElseThrow();
    long now = clock.millis();
    TreeMap<String, long[]> times = readTimes(row.fieldTimes());
    if ("phone".equals(channel) && bidx.equals(row.phoneBidx())) {
      stamp(times, "phoneVerified", now);
      repo.update(h, withVerified(row, now, row.emailVerifiedAt(), writeTimes(times)));
    } else if ("email".equals(channel) && bidx.equals(row.emailBidx())) {
      stamp(times, "emailVerified", now);
      repo.update(h, withVerified(row, row.phoneVerifiedAt(), now, writeTimes(times)));
    }
  }

  String blindIndex(String channel, String normalized) {
    return blind.of(channel, normalized);
  }

  Database database() {
    return db;
  }

  PersonalRepository repository() {
    return repo;
  }

  SubjectKeys keys() {
    return keys;
  }

  /** When each field was first and last collected. */
  Map<String, long[]> fieldTimes(String id) {
    return db.withHandle(h -> repo.find(h, id))
        .map(r -> (Map<String, long[]>) readTimes(r.fieldTimes()))
        .orElse(Map.of());
  }

  // --- validation ---

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

  /** What is wrong with {@code input}, without storing anything; empty when it is valid. */
  public List<CandorException.FieldError> problems(
      Map<String, Optional<String>> input, boolean creating) {
    try {
      validate(input, creating);
      return List.of();
    } catch (CandorException e) {
      return e.errors();
    }
  }

  Draft validate(Map<String, Optional<String>> input, boolean creating) {
    Validation v = new Validation();
    for (String key : input.keySet()) {
      if (!INPUT_FIELDS.contains(key)) {
        v.add(key, "unknown field; allowed: " + String.join(", ", INPUT_FIELDS));
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
    String birthDate = null;
    Optional<String> rawBirth = input.getOrDefault("birthDate", Optional.empty());
    if (rawBirth.isPresent()) {
      try {
        LocalDate date = LocalDate.parse(rawBirth.get().trim());
        LocalDate today = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
        if (date.isAfter(today)) {
          v.add("birthDate", "must not be in the future");
        } else if (date.isBefore(LocalDate.of(1900, 1, 1))) {
          v.add("birthDate", "must be on or after 1900-01-01");
        } else {
          birthDate = date.toString();
        }
      } catch (DateTimeParseException e) {
        v.add("birthDate", "must be a date in the form YYYY-MM-DD");
      }
    }
    String gender = text(v, input, "gender", 1, 50, false);
    String occupation = text(v, input, "occupation", 1, 100, false);
    v.throwIfInvalid();
    return new Draft(name, phone, email, birthDate, gender, occupation);
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

  private void rejectDuplicates(Handle h, Draft draft, Optional<String> self) {
    List<CandorException.FieldError> clashes = new ArrayList<>();
    if (draft.phone() != null) {
      repo.findByIndex(h, "phone", blind.of("phone", draft.phone()))
          .filter(other -> self.map(s -> !s.equals(other)).orElse(true))
          .ifPresent(
              o -> clashes.add(new CandorException.FieldError("phone", "already registered")));
    }
    if (draft.email() != null) {
      repo.findByIndex(h, "email", blind.of("email", draft.email()))
          .filter(other -> self.map(s -> !s.equals(other)).orElse(true))
          .ifPresent(
              o -> clashes.add(new CandorException.FieldError("email", "already registered")));
    }
    if (!clashes.isEmpty()) {
      String what =
          String.join(" and ", clashes.stream().map(CandorException.FieldError::field).toList());
      throw new CandorException(
          CandorException.Kind.CONFLICT, "the " + what + " is already registered", clashes);
    }
  }

  private PersonalRepository.Row applyPatch(
      Aead aead, PersonalRepository.Row row, Draft patch, Set<String> provided) {
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

  private static void stamp(TreeMap<String, long[]> times, String field, long now) {
    long[] t = times.get(field);
    times.put(field, new long[] {t == null ? now : t[0], now});
  }

  static TreeMap<String, long[]> readTimes(String json) {
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

  private static Person decrypt(Aead aead, PersonalRepository.Row r) {
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
