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
import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Personal information: creating, reading, changing and finding people, each in one transaction,
 * with who may do which ({@link #PROFILE}, {@link #CHANGE}). What a valid person is lives in {@link
 * ProfileValidator}; how each field is stored (encrypted with the person's key, phone and email
 * also as blind indexes) in {@link ProfileRows}.
 */
public final class PersonalService {

  /** The fields a client may send, in the order errors are reported. */
  public static final List<String> INPUT_FIELDS =
      List.of("name", "phone", "email", "birthDate", "gender", "occupation");

  private final Database db;
  private final SubjectKeys keys;
  private final BlindIndex blind;
  private final ProfileValidator validator;
  private final ProfileRows rows;
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
    this.validator = new ProfileValidator(Objects.requireNonNull(clock, "clock"));
    this.rows = new ProfileRows(blind, clock);
  }

  /** Only services with {@code account}, and operators, create people. */
  public Person create(Caller caller, Map<String, Optional<String>> input) {
    if (caller instanceof Caller.Service s && !s.may(Purpose.ACCOUNT)) {
      throw CandorException.forbidden("creating people needs a service key with 'account'");
    }
    if (!(caller instanceof Caller.Service) && !(caller instanceof Caller.Admin)) {
      throw CandorException.forbidden("only services with 'account' and operators create people");
    }
    ProfileValidator.Draft draft = validator.validate(input, true);
    String id = UUID.randomUUID().toString();
    return db.inTransaction(h -> insert(h, id, draft));
  }

  /** Inserts a validated person inside the caller's transaction (bulk creation uses it too). */
  private Person insert(Handle h, String id, ProfileValidator.Draft draft) {
    rejectDuplicates(h, draft, Optional.empty());
    Aead aead = keys.create(h, id);
    PersonalRepository.Row row = rows.created(aead, id, draft);
    try {
      repo.insert(h, row);
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw CandorException.conflict("the phone or email is already registered");
      }
      throw e;
    }
    return ProfileRows.decrypt(aead, row);
  }

  /** Validates and inserts many people in one transaction; for the demo and benchmarks. */
  public List<Person> createAll(List<Map<String, Optional<String>>> inputs) {
    List<ProfileValidator.Draft> drafts =
        inputs.stream().map(i -> validator.validate(i, true)).toList();
    return db.inTransaction(
        h -> {
          List<Person> out = new ArrayList<>(drafts.size());
          for (ProfileValidator.Draft d : drafts) {
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
    ProfileValidator.Draft patch = validator.validate(changes, false);
    db.useTransaction(
        h -> {
          PersonalRepository.Row row =
              repo.find(h, id).orElseThrow(() -> CandorException.notFound("person"));
          Aead aead = keys.find(id).orElseThrow(() -> CandorException.notFound("person"));
          rejectDuplicates(h, patch, Optional.of(id));
          repo.update(h, rows.patched(aead, row, patch, changes.keySet()));
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
    return keys.find(id).map(aead -> ProfileRows.decrypt(aead, row.get()));
  }

  /** The person registered with this phone ({@code channel = "phone"}) or email. */
  public Optional<String> findByAddress(String channel, String normalized) {
    return db.withHandle(h -> repo.findByIndex(h, channel, blind.of(channel, normalized)));
  }

  /** Records that the person proved they own the address whose blind index is {@code bidx}. */
  void markVerified(Handle h, String subjectId, String channel, String bidx) {
    PersonalRepository.Row row = repo.find(h, subjectId).orElseThrow();
    rows.verified(row, channel, bidx).ifPresent(verified -> repo.update(h, verified));
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
    return db.withHandle(h -> repo.find(h, id)).map(ProfileRows::fieldTimes).orElse(Map.of());
  }

  /** What is wrong with {@code input}, without storing anything; empty when it is valid. */
  public List<CandorException.FieldError> problems(
      Map<String, Optional<String>> input, boolean creating) {
    return validator.problems(input, creating);
  }

  private void rejectDuplicates(Handle h, ProfileValidator.Draft draft, Optional<String> self) {
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
}
