package app.candor.communication;

import app.candor.core.access.Access;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import app.candor.core.store.Ids;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Creates conversations and answers who is in them. A direct conversation exists once per pair of
 * people: creating it again answers the one there is (decided by a unique key, so two nodes agree).
 * Everyone in a new conversation must exist when it is written; on PostgreSQL their key rows are
 * share-locked until the commit, so an erasure either follows and takes them out, or is seen.
 */
public final class Conversations {

  /** Putting people in a conversation: the person, and services with {@code messaging}. */
  public static final Access CONVERSE =
      Access.forPurpose("conversations", Purpose.MESSAGING, "communication.conversations");

  /** The most members a group may have. */
  public static final int MAX_MEMBERS = 500;

  private static final String TITLE_FIELD = "conversation.title";

  /** What creating a conversation did: {@code created} false when the direct one existed. */
  public record Created(Conversation conversation, boolean created) {}

  private final Database db;
  private final SubjectKeys keys;
  private final Clock clock;

  Conversations(Database db, SubjectKeys keys, Clock clock) {
    this.db = db;
    this.keys = keys;
    this.clock = clock;
  }

  /**
   * Creates a conversation of {@code type} with {@code members} (distinct, checked by the edge: two
   * for direct, two to {@link #MAX_MEMBERS} for a group); a group's title is encrypted with the
   * first member's key. 400 naming {@code members[i]} for a person who does not exist.
   */
  public Created create(String type, List<String> members, Optional<String> title) {
    Objects.requireNonNull(type, "type");
    List<String> people = List.copyOf(members);
    long now = clock.millis();
    Optional<Aead> titleKey = title.isPresent() ? keys.find(people.get(0)) : Optional.<Aead>empty();
    return db.inTransaction(
        h -> {
          Set<String> present = present(h, people);
          List<CandorException.FieldError> missing = new ArrayList<>();
          for (int i = 0; i < people.size(); i++) {
            if (!present.contains(people.get(i))) {
              missing.add(new CandorException.FieldError("members[" + i + "]", "no such person"));
            }
          }
          if (!missing.isEmpty() || (title.isPresent() && titleKey.isEmpty())) {
            throw missing.isEmpty()
                ? CandorException.invalid("members[0]", "no such person")
                : CandorException.invalid(missing);
          }
          String pair = type.equals(Conversation.DIRECT) ? pair(people) : null;
          if (pair != null) {
            Optional<String> existing = directId(h, pair);
            if (existing.isPresent()) {
              return new Created(load(h, existing.get()).orElseThrow(), false);
            }
          }
          String id = Ids.timeOrdered("cv_", now);
          String titleOwner = title.isPresent() ? people.get(0) : null;
          String titleCt =
              title
                  .map(t -> FieldCipher.encrypt(titleKey.orElseThrow(), titleOwner, TITLE_FIELD, t))
                  .orElse(null);
          int inserted =
              h.createUpdate(
                      "INSERT INTO conversations (id, type, direct_pair, title_ct, title_owner,"
                          + " last_seq, created_at) VALUES (:id, :type, :pair, :title, :owner, 0,"
                          + " :at) ON CONFLICT DO NOTHING")
                  .bind("id", id)
                  .bind("type", type)
                  .bind("pair", pair)
                  .bind("title", titleCt)
                  .bind("owner", titleOwner)
                  .bind("at", now)
                  .execute();
          if (inserted == 0 && pair != null) {
            // Another node created the same pair's conversation meanwhile.
            return new Created(load(h, directId(h, pair).orElseThrow()).orElseThrow(), false);
          }
          var insert =
              h.prepareBatch(
                  "INSERT INTO conversation_members (conversation_id, subject_id, joined_at)"
                      + " VALUES (:c, :s, :at)");
          for (String person : people) {
            insert.bind("c", id).bind("s", person).bind("at", now).add();
          }
          insert.execute();
          return new Created(
              new Conversation(id, type, people, title, Instant.ofEpochMilli(now)), true);
        });
  }

  /** The conversation, with its members, if it exists. */
  public Optional<Conversation> find(String id) {
    return db.withHandle(h -> load(h, id));
  }

  /** Whether {@code subjectId} is a member of conversation {@code id}. */
  public boolean isMember(String id, String subjectId) {
    return db.withHandle(h -> isMember(h, id, subjectId, false));
  }

  static boolean isMember(Handle h, String id, String subjectId, boolean lock) {
    return h.createQuery(
            "SELECT 1 FROM conversation_members WHERE conversation_id = :c AND subject_id = :s"
                + (lock ? " FOR SHARE" : ""))
        .bind("c", id)
        .bind("s", subjectId)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  private Optional<Conversation> load(Handle h, String id) {
    record Row(
        String type, @Nullable String titleCt, @Nullable String titleOwner, long createdAt) {}
    Optional<Row> row =
        h.createQuery(
                "SELECT type, title_ct, title_owner, created_at FROM conversations WHERE id = :id")
            .bind("id", id)
            .map(
                (rs, ctx) ->
                    new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)))
            .findOne();
    if (row.isEmpty()) {
      return Optional.empty();
    }
    List<String> members =
        h.createQuery(
                "SELECT subject_id FROM conversation_members WHERE conversation_id = :id"
                    + " ORDER BY joined_at, subject_id")
            .bind("id", id)
            .mapTo(String.class)
            .list();
    Row r = row.get();
    Optional<String> title = Optional.empty();
    if (r.titleCt() != null && r.titleOwner() != null) {
      String owner = r.titleOwner();
      String ct = r.titleCt();
      title = keys.find(owner).map(aead -> FieldCipher.decrypt(aead, owner, TITLE_FIELD, ct));
    }
    return Optional.of(
        new Conversation(id, r.type(), members, title, Instant.ofEpochMilli(r.createdAt())));
  }

  private static Optional<String> directId(Handle h, String pair) {
    return h.createQuery("SELECT id FROM conversations WHERE direct_pair = :p")
        .bind("p", pair)
        .mapTo(String.class)
        .findOne();
  }

  private static String pair(List<String> two) {
    List<String> sorted = new ArrayList<>(two);
    sorted.sort(Comparator.naturalOrder());
    return sorted.get(0) + "|" + sorted.get(1);
  }

  /**
   * Those of {@code people} who exist; on PostgreSQL their key rows share-locked until the commit
   * (sorted, one lock order for every writer).
   */
  private Set<String> present(Handle h, List<String> people) {
    List<String> sorted = new ArrayList<>(new HashSet<>(people));
    sorted.sort(Comparator.naturalOrder());
    String lock =
        db.dialect() == Database.Dialect.POSTGRESQL ? " ORDER BY subject_id FOR SHARE" : "";
    return new HashSet<>(
        h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)" + lock)
            .bindList("s", sorted)
            .mapTo(String.class)
            .list());
  }
}
