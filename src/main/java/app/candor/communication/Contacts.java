package app.candor.communication;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * A person's address book, kept so the app can tell them which of their contacts are on it, and
 * never kept in the clear: each address is normalised and stored as the keyed blind index people's
 * own records carry (so matching is an index lookup, through {@link ContactDirectory}), each name
 * encrypted with the owner's key.
 *
 * <p>An upload replaces the list ({@link #replace}). Because a list of addresses answered with who
 * is registered would let anyone enumerate the app's members, an upload holds at most {@link
 * #MAX_ENTRIES} entries and a person may add at most {@link #DAILY_NEW} addresses a UTC day that
 * their list did not hold before. The count is one conditional upsert in the upload's transaction,
 * so every node enforces the same limit and a refused upload writes nothing. Re-uploading the same
 * book costs nothing.
 */
public final class Contacts {

  /** Uploading, reading and withdrawing the list: the person, and services with messaging. */
  public static final Access MANAGE =
      Access.forPurpose("contacts", Purpose.MESSAGING, ContactData.FIELD);

  /** The most entries one upload may hold. */
  public static final int MAX_ENTRIES = 5_000;

  /** The most addresses new to their list a person may add in one UTC day. */
  public static final int DAILY_NEW = 10_000;

  /** The longest name a contact may carry, in characters. */
  public static final int MAX_NAME = 200;

  static final String NAME_FIELD = "contact.name";
  private static final long DAY_MILLIS = 86_400_000L;
  private static final int SLICE = 500;

  /** A person on the app whose address is in the list, with their name on the app. */
  public record OnApp(String userId, String name) {}

  /** The list's size, and who in it is on the app. */
  public record Stored(int stored, List<OnApp> onApp) {
    public Stored {
      onApp = List.copyOf(onApp);
    }
  }

  /** One stored entry: the blind indexes of its addresses and its encrypted name. */
  record Row(
      int entryNo,
      @Nullable String phoneBidx,
      @Nullable String emailBidx,
      @Nullable String nameCt,
      long addedAt) {}

  private final Database db;
  private final SubjectKeys keys;
  private final ContactDirectory directory;
  private final Function<Collection<String>, Map<String, String>> names;
  private final PurposeGate gate;
  private final Clock clock;
  private final ContactData data;

  /**
   * @param names the names of people who exist, by id (the people on the app shown to the owner)
   */
  public Contacts(
      Database db,
      SubjectKeys keys,
      ContactDirectory directory,
      Function<Collection<String>, Map<String, String>> names,
      PurposeGate gate,
      Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.names = Objects.requireNonNull(names, "names");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.data = new ContactData(db, keys, this);
  }

  /** The privacy provider of the contact list. */
  public ContactData data() {
    return data;
  }

  /**
   * Replaces the granted person's list with {@code entries}: 400 naming {@code contacts[i].phone}
   * (and so on) for a bad entry, 429 past the daily limit of new addresses, 404 when the person is
   * gone; in each case nothing is written.
   */
  public Stored replace(Grant grant, List<ContactEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    String owner = grant.subjectId();
    if (entries.size() > MAX_ENTRIES) {
      throw CandorException.invalid("contacts", "at most " + MAX_ENTRIES + " entries");
    }
    List<Draft> drafts = check(entries);
    Aead aead = keys.find(owner).orElseThrow(() -> CandorException.notFound("person"));
    long now = clock.millis();
    List<Row> rows =
        db.inTransaction(
            h -> {
              requireOwner(h, owner);
              Map<String, Long> before = new HashMap<>();
              for (Row r : rows(h, owner)) {
                addresses(r).forEach(a -> before.merge(a, r.addedAt(), Math::min));
              }
              Set<String> fresh = new HashSet<>();
              drafts.forEach(d -> fresh.addAll(addresses(d.phone(), d.email())));
              fresh.removeAll(before.keySet());
              count(h, owner, Math.floorDiv(now, DAY_MILLIS), fresh.size());
              h.createUpdate("DELETE FROM contacts WHERE subject_id = :s")
                  .bind("s", owner)
                  .execute();
              List<Row> out = new ArrayList<>(drafts.size());
              for (int i = 0; i < drafts.size(); i++) {
                Draft d = drafts.get(i);
                long added =
                    addresses(d.phone(), d.email()).stream()
                        .map(before::get)
                        .filter(Objects::nonNull)
                        .min(Long::compare)
                        .orElse(now);
                String nameCt =
                    d.name() == null
                        ? null
                        : FieldCipher.encrypt(aead, owner, NAME_FIELD, d.name());
                out.add(new Row(i, d.phone(), d.email(), nameCt, added));
              }
              insert(h, owner, out);
              return out;
            });
    return answer(grant, rows);
  }

  /** The granted person's list: its size and who in it is on the app. */
  public Stored list(Grant grant) {
    grant.reveal(ContactData.FIELD);
    return answer(grant, db.withHandle(h -> rows(h, grant.subjectId())));
  }

  /** Deletes the granted person's list (a withdrawal); returns how many entries it held. */
  public int withdraw(Grant grant) {
    return db.inTransaction(h -> delete(h, grant.subjectId()));
  }

  /**
   * The people who have {@code subjectId} in their list while {@code subjectId} has them in theirs
   * (by phone or email, either way): friends, for friends nearby. Erased people are never among
   * them (their record, and so their addresses, are gone).
   */
  public Set<String> mutual(String subjectId) {
    Map<String, String> mine = directory.own().apply(subjectId);
    if (mine.isEmpty()) {
      return Set.of();
    }
    Set<String> theirs = db.withHandle(h -> people(rows(h, subjectId)));
    theirs.remove(subjectId);
    if (theirs.isEmpty()) {
      return Set.of();
    }
    List<String> conditions = new ArrayList<>();
    Optional.ofNullable(mine.get(ContactDirectory.PHONE))
        .ifPresent(p -> conditions.add("phone_bidx = :p"));
    Optional.ofNullable(mine.get(ContactDirectory.EMAIL))
        .ifPresent(e -> conditions.add("email_bidx = :e"));
    String sql =
        "SELECT DISTINCT subject_id FROM contacts WHERE subject_id IN (<c>) AND ("
            + String.join(" OR ", conditions)
            + ")";
    Set<String> out = new HashSet<>();
    List<String> candidates = new ArrayList<>(theirs);
    for (int i = 0; i < candidates.size(); i += SLICE) {
      List<String> slice = candidates.subList(i, Math.min(candidates.size(), i + SLICE));
      out.addAll(
          db.withHandle(
              h -> {
                var q = h.createQuery(sql).bindList("c", slice);
                Optional.ofNullable(mine.get(ContactDirectory.PHONE))
                    .ifPresent(p -> q.bind("p", p));
                Optional.ofNullable(mine.get(ContactDirectory.EMAIL))
                    .ifPresent(e -> q.bind("e", e));
                return q.mapTo(String.class).list();
              }));
    }
    return out;
  }

  /** An entry checked and normalised into blind indexes, its name trimmed. */
  private record Draft(@Nullable String phone, @Nullable String email, @Nullable String name) {}

  private List<Draft> check(List<ContactEntry> entries) {
    Validation v = new Validation();
    List<Draft> out = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ContactEntry e = entries.get(i);
      String at = "contacts[" + i + "].";
      String phone = null;
      String email = null;
      if (e.phone().isPresent()) {
        phone = directory.index().apply(ContactDirectory.PHONE, e.phone().get()).orElse(null);
        if (phone == null) {
          v.add(at + "phone", "must be a valid phone number in E.164 format, such as +14155550123");
        }
      }
      if (e.email().isPresent()) {
        email = directory.index().apply(ContactDirectory.EMAIL, e.email().get()).orElse(null);
        if (email == null) {
          v.add(at + "email", "must be an email address such as ana@example.org");
        }
      }
      if (e.phone().isEmpty() && e.email().isEmpty()) {
        v.add(at + "phone", "a phone or an email is required");
      }
      String name = e.name().map(String::strip).filter(n -> !n.isEmpty()).orElse(null);
      if (name != null && name.codePointCount(0, name.length()) > MAX_NAME) {
        v.add(at + "name", "at most " + MAX_NAME + " characters");
      }
      out.add(new Draft(phone, email, name));
    }
    v.throwIfInvalid();
    return out;
  }

  /** The addresses of an entry as set members: kind and blind index. */
  private static List<String> addresses(@Nullable String phone, @Nullable String email) {
    List<String> out = new ArrayList<>(2);
    if (phone != null) {
      out.add("p:" + phone);
    }
    if (email != null) {
      out.add("e:" + email);
    }
    return out;
  }

  private static List<String> addresses(Row r) {
    return addresses(r.phoneBidx(), r.emailBidx());
  }

  /**
   * Counts {@code fresh} new addresses into the person's day, or refuses (429) past the limit. The
   * upsert adds only while the sum stays within the limit, so two uploads racing on two nodes
   * cannot both pass it; a refusal rolls the whole upload back.
   */
  private void count(Handle h, String owner, long day, int fresh) {
    h.createUpdate("DELETE FROM contact_intake WHERE subject_id = :s AND day < :d")
        .bind("s", owner)
        .bind("d", day)
        .execute();
    if (fresh == 0) {
      return;
    }
    int counted =
        fresh > DAILY_NEW
            ? 0
            : h.createUpdate(
                    "INSERT INTO contact_intake (subject_id, day, added) VALUES (:s, :d, :n)"
                        + " ON CONFLICT (subject_id, day) DO UPDATE"
                        + " SET added = contact_intake.added + excluded.added"
                        + " WHERE contact_intake.added + excluded.added <= :max")
                .bind("s", owner)
                .bind("d", day)
                .bind("n", fresh)
                .bind("max", DAILY_NEW)
                .execute();
    if (counted == 0) {
      throw CandorException.tooManyRequests(
          "at most "
              + DAILY_NEW
              + " new addresses a day may be added to a contact list; this upload adds "
              + fresh
              + ". Try again tomorrow (UTC)");
    }
  }

  /** The person still exists; on PostgreSQL their key row is share-locked against an erasure. */
  private void requireOwner(Handle h, String owner) {
    String lock = db.dialect() == Database.Dialect.POSTGRESQL ? " FOR SHARE" : "";
    h.createQuery("SELECT 1 FROM subject_keys WHERE subject_id = :s" + lock)
        .bind("s", owner)
        .mapTo(Integer.class)
        .findOne()
        .orElseThrow(() -> CandorException.notFound("person"));
  }

  private static void insert(Handle h, String owner, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    var batch =
        h.prepareBatch(
            "INSERT INTO contacts (subject_id, entry_no, phone_bidx, email_bidx, name_ct,"
                + " added_at) VALUES (:s, :n, :p, :e, :c, :t)");
    for (Row r : rows) {
      batch
          .bind("s", owner)
          .bind("n", r.entryNo())
          .bind("p", r.phoneBidx())
          .bind("e", r.emailBidx())
          .bind("c", r.nameCt())
          .bind("t", r.addedAt())
          .add();
    }
    batch.execute();
  }

  static List<Row> rows(Handle h, String owner) {
    return h.createQuery(
            "SELECT entry_no, phone_bidx, email_bidx, name_ct, added_at FROM contacts"
                + " WHERE subject_id = :s ORDER BY entry_no")
        .bind("s", owner)
        .map(
            (rs, ctx) ->
                new Row(
                    rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)))
        .list();
  }

  static int delete(Handle h, String owner) {
    h.createUpdate("DELETE FROM contact_intake WHERE subject_id = :s").bind("s", owner).execute();
    return h.createUpdate("DELETE FROM contacts WHERE subject_id = :s").bind("s", owner).execute();
  }

  /** The people on the app whose phone or email is in {@code rows}, in the order of the rows. */
  Set<String> people(List<Row> rows) {
    Set<String> out = new LinkedHashSet<>();
    matches(rows).values().forEach(out::addAll);
    return out;
  }

  /**
   * For each row, by entry number in the rows' order, the people on the app its phone or email
   * belongs to (none for most): two lookups by blind index for the whole list.
   */
  Map<Integer, List<String>> matches(List<Row> rows) {
    Set<String> phones = new LinkedHashSet<>();
    Set<String> emails = new LinkedHashSet<>();
    for (Row r : rows) {
      Optional.ofNullable(r.phoneBidx()).ifPresent(phones::add);
      Optional.ofNullable(r.emailBidx()).ifPresent(emails::add);
    }
    Map<String, String> byPhone =
        phones.isEmpty() ? Map.of() : directory.holders().apply(ContactDirectory.PHONE, phones);
    Map<String, String> byEmail =
        emails.isEmpty() ? Map.of() : directory.holders().apply(ContactDirectory.EMAIL, emails);
    Map<Integer, List<String>> out = new java.util.LinkedHashMap<>();
    for (Row r : rows) {
      List<String> found = new ArrayList<>(2);
      Optional.ofNullable(r.phoneBidx()).map(byPhone::get).ifPresent(found::add);
      Optional.ofNullable(r.emailBidx())
          .map(byEmail::get)
          .filter(id -> !found.contains(id))
          .ifPresent(found::add);
      out.put(r.entryNo(), found);
    }
    return out;
  }

  /**
   * The answer to the owner: the people on the app among the rows (never the owner), named through
   * the gate, which counts each into their access log's entry of the day as shown.
   */
  private Stored answer(Grant grant, List<Row> rows) {
    Set<String> found = people(rows);
    found.remove(grant.subjectId());
    if (found.isEmpty()) {
      return new Stored(rows.size(), List.of());
    }
    Map<String, String> named =
        gate.readShown(
            grant,
            found,
            Purpose.MESSAGING,
            List.of("personal.name"),
            allowed -> names.apply(allowed));
    List<OnApp> onApp = new ArrayList<>();
    for (String id : found) {
      Optional.ofNullable(named.get(id)).ifPresent(n -> onApp.add(new OnApp(id, n)));
    }
    return new Stored(rows.size(), onApp);
  }
}
