package app.candor.communication;

import app.candor.core.catalog.Category;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import app.candor.privacy.SubjectData;
import com.google.crypto.tink.Aead;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The contact list in reports, exports and erasure. The export cannot give the addresses back:
 * Candor keeps only their keyed blind indexes, which cannot be reversed, so each entry is exported
 * with its name (decrypted), which kinds of address it had, and whether one of them belongs to
 * someone on the app now. Erasure deletes the list and the day's count of new addresses; others'
 * lists that hold the erased person's address keep it (their address book is theirs), but match no
 * one any more, since the person's own record is gone.
 */
public final class ContactData implements SubjectData {

  /** The catalog field of the contact list. */
  public static final String FIELD = "communication.contacts";

  private final Database db;
  private final SubjectKeys keys;
  private final Contacts contacts;

  ContactData(Database db, SubjectKeys keys, Contacts contacts) {
    this.db = db;
    this.keys = keys;
    this.contacts = contacts;
  }

  @Override
  public Category category() {
    return Category.COMMUNICATION;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of(FIELD);
  }

  @Override
  public List<Held> describe(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT COUNT(*), MIN(added_at), MAX(added_at) FROM contacts"
                        + " WHERE subject_id = :s")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) -> {
                      long count = rs.getLong(1);
                      if (count == 0) {
                        return List.<Held>of();
                      }
                      return List.of(
                          Held.count(
                              FIELD,
                              count,
                              Optional.of(Instant.ofEpochMilli(rs.getLong(2))),
                              Optional.of(Instant.ofEpochMilli(rs.getLong(3)))));
                    })
                .one());
  }

  @Override
  public List<Table> tables(String subjectId) {
    List<Contacts.Row> rows = db.withHandle(h -> Contacts.rows(h, subjectId));
    if (rows.isEmpty()) {
      return List.of();
    }
    Optional<Aead> key = keys.find(subjectId);
    Map<Integer, List<String>> matches = contacts.matches(rows);
    List<List<String>> out = new ArrayList<>(rows.size());
    for (Contacts.Row r : rows) {
      List<String> onApp = new ArrayList<>(matches.getOrDefault(r.entryNo(), List.of()));
      onApp.remove(subjectId);
      String name =
          r.nameCt() == null || key.isEmpty()
              ? ""
              : FieldCipher.decrypt(key.get(), subjectId, Contacts.NAME_FIELD, r.nameCt());
      out.add(
          List.of(
              Integer.toString(r.entryNo() + 1),
              name,
              r.phoneBidx() != null ? "yes" : "no",
              r.emailBidx() != null ? "yes" : "no",
              onApp.isEmpty() ? "no" : "yes",
              Instant.ofEpochMilli(r.addedAt()).toString()));
    }
    return List.of(
        new Table(
            FIELD,
            "contacts",
            List.of("entry", "name", "hadPhone", "hadEmail", "onApp", "addedAt"),
            out));
  }

  @Override
  public int erase(Handle h, String subjectId) {
    return Contacts.delete(h, subjectId);
  }

  @Override
  public long subjectsWithData() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM contacts")
                .mapTo(Long.class)
                .one());
  }
}
