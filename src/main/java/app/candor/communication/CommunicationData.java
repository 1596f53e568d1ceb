package app.candor.communication;

import app.candor.core.catalog.Category;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import app.candor.core.store.Ids;
import app.candor.privacy.SubjectData;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The communication category in reports, exports and erasure: the conversations a person is in, the
 * messages they sent (decrypted for them) and received (with the sender's name while the sender
 * exists), their reports and calls. Erasure shreds what they sent: the text, media and retry ids of
 * their messages go (their key is destroyed too), the other members see "deleted: erased account",
 * and a conversation nobody is left in is deleted whole.
 */
public final class CommunicationData implements SubjectData {

  private final Database db;
  private final SubjectKeys keys;
  private final Function<Collection<String>, Map<String, String>> names;
  private final Clock clock;

  CommunicationData(
      Database db,
      SubjectKeys keys,
      Function<Collection<String>, Map<String, String>> names,
      Clock clock) {
    this.db = db;
    this.keys = keys;
    this.names = names;
    this.clock = clock;
  }

  @Override
  public Category category() {
    return Category.COMMUNICATION;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of(
        "communication.conversations",
        "communication.messages",
        "communication.spamVerdicts",
        "communication.reports",
        "communication.calls");
  }

  private record Span(long count, @Nullable Long first, @Nullable Long last) {
    Optional<Instant> firstAt() {
      return Optional.ofNullable(first).map(Instant::ofEpochMilli);
    }

    Optional<Instant> lastAt() {
      return Optional.ofNullable(last).map(Instant::ofEpochMilli);
    }
  }

  private static Span span(Handle h, String sql, String subjectId) {
    return h.createQuery(sql)
        .bind("s", subjectId)
        .map(
            (rs, ctx) ->
                new Span(
                    rs.getLong(1),
                    rs.getObject(2) == null ? null : rs.getLong(2),
                    rs.getObject(3) == null ? null : rs.getLong(3)))
        .one();
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<Held> out = new ArrayList<>();
    db.withHandle(
        h -> {
          Span conversations =
              span(
                  h,
                  "SELECT COUNT(*), MIN(joined_at), MAX(joined_at) FROM conversation_members"
                      + " WHERE subject_id = :s",
                  subjectId);
          if (conversations.count() > 0) {
            out.add(
                Held.count(
                    "communication.conversations",
                    conversations.count(),
                    conversations.firstAt(),
                    conversations.lastAt()));
          }
          Span sent =
              span(
                  h,
                  "SELECT COUNT(*), MIN(at), MAX(at) FROM messages WHERE sender_id = :s",
                  subjectId);
          if (sent.count() > 0) {
            out.add(
                Held.count("communication.messages", sent.count(), sent.firstAt(), sent.lastAt()));
            Map<String, Long> verdicts = new HashMap<>();
            h.createQuery(
                    "SELECT verdict, COUNT(*) FROM messages WHERE sender_id = :s GROUP BY verdict")
                .bind("s", subjectId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> verdicts.put(e.getKey(), e.getValue()));
            out.add(
                Held.value("communication.spamVerdicts", verdicts, sent.firstAt(), sent.lastAt()));
          }
          Span reports =
              span(
                  h,
                  "SELECT COUNT(*), MIN(at), MAX(at) FROM message_reports WHERE reporter_id = :s",
                  subjectId);
          if (reports.count() > 0) {
            out.add(
                Held.count(
                    "communication.reports", reports.count(), reports.firstAt(), reports.lastAt()));
          }
          Span calls =
              span(
                  h,
                  "SELECT COUNT(*), MIN(c.started_at), MAX(c.started_at) FROM call_participants p"
                      + " JOIN calls c ON c.id = p.call_id WHERE p.subject_id = :s",
                  subjectId);
          if (calls.count() > 0) {
            out.add(
                Held.count("communication.calls", calls.count(), calls.firstAt(), calls.lastAt()));
          }
          return null;
        });
    return out;
  }

  @Override
  public List<Table> tables(String subjectId) {
    return db.withHandle(
        h -> {
          List<Table> out = new ArrayList<>();
          out.add(conversations(h, subjectId));
          out.add(sent(h, subjectId));
          out.add(received(h, subjectId));
          out.add(reports(h, subjectId));
          out.add(calls(h, subjectId));
          out.removeIf(t -> t.rows().isEmpty());
          return out;
        });
  }

  private static Table conversations(Handle h, String subjectId) {
    List<List<String>> rows =
        h.createQuery(
                "SELECT c.id, c.type, m.joined_at, (SELECT COUNT(*) FROM conversation_members o"
                    + " WHERE o.conversation_id = c.id) FROM conversation_members m"
                    + " JOIN conversations c ON c.id = m.conversation_id WHERE m.subject_id = :s"
                    + " ORDER BY m.joined_at, c.id")
            .bind("s", subjectId)
            .map(
                (rs, ctx) ->
                    List.of(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)).toString(),
                        Long.toString(rs.getLong(4))))
            .list();
    return new Table(
        "communication.conversations",
        "conversations",
        List.of("conversationId", "type", "joinedAt", "members"),
        rows);
  }

  private Table sent(Handle h, String subjectId) {
    Optional<Aead> key = keys.find(subjectId);
    List<List<String>> rows =
        h.createQuery(
                "SELECT id, conversation_id, at, kind, body_ct, media_id, verdict, held"
                    + " FROM messages WHERE sender_id = :s ORDER BY at, id")
            .bind("s", subjectId)
            .map(
                (rs, ctx) -> {
                  String ct = rs.getString(5);
                  String text =
                      ct == null || key.isEmpty()
                          ? ""
                          : FieldCipher.decrypt(key.get(), subjectId, Messages.BODY_FIELD, ct);
                  return List.of(
                      rs.getString(1),
                      rs.getString(2),
                      Instant.ofEpochMilli(rs.getLong(3)).toString(),
                      rs.getString(4),
                      text,
                      Optional.ofNullable(rs.getString(6)).orElse(""),
                      rs.getString(7),
                      rs.getInt(8) == 1 ? "held" : "delivered");
                })
            .list();
    return new Table(
        "communication.messages",
        "messages-sent",
        List.of("messageId", "conversationId", "at", "kind", "text", "mediaId", "verdict", "state"),
        rows);
  }

  private record Received(
      String id,
      String conversationId,
      long at,
      String kind,
      @Nullable String sender,
      @Nullable String bodyCt) {}

  private Table received(Handle h, String subjectId) {
    List<Received> raw =
        h.createQuery(
                "SELECT m.id, m.conversation_id, m.at, m.kind, m.sender_id, m.body_ct"
                    + " FROM messages m JOIN conversation_members c"
                    + " ON c.conversation_id = m.conversation_id AND c.subject_id = :s"
                    + " WHERE (m.sender_id IS NULL OR m.sender_id <> :s) AND m.held = 0"
                    + " ORDER BY m.at, m.id")
            .bind("s", subjectId)
            .map(
                (rs, ctx) ->
                    new Received(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6)))
            .list();
    Set<String> senders = new HashSet<>();
    raw.forEach(r -> Optional.ofNullable(r.sender()).ifPresent(senders::add));
    Map<String, String> named = senders.isEmpty() ? Map.of() : names.apply(senders);
    List<List<String>> rows = new ArrayList<>(raw.size());
    for (Received r : raw) {
      String sender = r.sender();
      Optional<Aead> key = sender == null ? Optional.empty() : keys.find(sender);
      String from =
          sender == null || key.isEmpty() ? "erased account" : named.getOrDefault(sender, "");
      String ct = r.bodyCt();
      String text =
          ct == null || key.isEmpty() || sender == null
              ? (sender == null ? Message.ERASED : "")
              : FieldCipher.decrypt(key.get(), sender, Messages.BODY_FIELD, ct);
      rows.add(
          List.of(
              r.id(),
              r.conversationId(),
              Instant.ofEpochMilli(r.at()).toString(),
              r.kind(),
              from,
              text));
    }
    return new Table(
        "communication.messages",
        "messages-received",
        List.of("messageId", "conversationId", "at", "kind", "from", "text"),
        rows);
  }

  private static Table reports(Handle h, String subjectId) {
    List<List<String>> rows =
        h.createQuery(
                "SELECT message_id, reason, at FROM message_reports WHERE reporter_id = :s"
                    + " ORDER BY at")
            .bind("s", subjectId)
            .map(
                (rs, ctx) ->
                    List.of(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)).toString()))
            .list();
    return new Table(
        "communication.reports", "reports", List.of("messageId", "reason", "at"), rows);
  }

  private static Table calls(Handle h, String subjectId) {
    List<List<String>> rows =
        h.createQuery(
                "SELECT c.id, c.caller_id, c.kind, c.started_at, c.ended_at, c.outcome,"
                    + " (SELECT COUNT(*) FROM call_participants o WHERE o.call_id = c.id)"
                    + " FROM call_participants p JOIN calls c ON c.id = p.call_id"
                    + " WHERE p.subject_id = :s ORDER BY c.started_at, c.id")
            .bind("s", subjectId)
            .map(
                (rs, ctx) ->
                    List.of(
                        rs.getString(1),
                        subjectId.equals(rs.getString(2)) ? "out" : "in",
                        rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)).toString(),
                        rs.getObject(5) == null
                            ? ""
                            : Instant.ofEpochMilli(rs.getLong(5)).toString(),
                        rs.getString(6),
                        Long.toString(rs.getLong(7))))
            .list();
    return new Table(
        "communication.calls",
        "calls",
        List.of("callId", "direction", "kind", "startedAt", "endedAt", "outcome", "people"),
        rows);
  }

  @Override
  public int erase(Handle h, String subjectId) {
    List<String> theirs =
        h.createQuery("SELECT conversation_id FROM conversation_members WHERE subject_id = :s")
            .bind("s", subjectId)
            .mapTo(String.class)
            .list();
    // What they sent stays as a tombstone under a new id (the ids their apps knew lead nowhere);
    // reports of it go, as there is nothing left to judge.
    List<String> sent =
        h.createQuery("SELECT id FROM messages WHERE sender_id = :s")
            .bind("s", subjectId)
            .mapTo(String.class)
            .list();
    long now = clock.millis();
    for (int i = 0; i < sent.size(); i += 500) {
      h.createUpdate("DELETE FROM message_reports WHERE message_id IN (<m>)")
          .bindList("m", sent.subList(i, Math.min(sent.size(), i + 500)))
          .execute();
    }
    var shred =
        h.prepareBatch(
            "UPDATE messages SET id = :fresh, sender_id = NULL, client_message_id = NULL,"
                + " body_ct = NULL, media_id = NULL, fuzzy = NULL, erased_at = :now WHERE id = :id");
    for (String id : sent) {
      shred.bind("fresh", Ids.timeOrdered("msg_", now)).bind("now", now).bind("id", id).add();
    }
    int n = sent.size();
    if (n > 0) {
      shred.execute();
    }
    n += update(h, "DELETE FROM message_reports WHERE reporter_id = :s", subjectId);
    update(h, "DELETE FROM sender_reports WHERE subject_id = :s", subjectId);
    n += update(h, "DELETE FROM conversation_members WHERE subject_id = :s", subjectId);
    update(
        h,
        "UPDATE conversations SET title_ct = NULL, title_owner = NULL WHERE title_owner = :s",
        subjectId);
    if (!theirs.isEmpty()) {
      // A direct conversation's pair names both people: it is one-sided from now on.
      h.createUpdate(
              "UPDATE conversations SET direct_pair = NULL WHERE id IN (<c>)"
                  + " AND direct_pair IS NOT NULL")
          .bindList("c", theirs)
          .execute();
      List<String> empty =
          h.createQuery(
                  "SELECT id FROM conversations c WHERE id IN (<c>) AND NOT EXISTS (SELECT 1"
                      + " FROM conversation_members m WHERE m.conversation_id = c.id)")
              .bindList("c", theirs)
              .mapTo(String.class)
              .list();
      if (!empty.isEmpty()) {
        h.createUpdate(
                "DELETE FROM message_reports WHERE message_id IN (SELECT id FROM messages"
                    + " WHERE conversation_id IN (<c>))")
            .bindList("c", empty)
            .execute();
        h.createUpdate("DELETE FROM messages WHERE conversation_id IN (<c>)")
            .bindList("c", empty)
            .execute();
        h.createUpdate("DELETE FROM conversations WHERE id IN (<c>)")
            .bindList("c", empty)
            .execute();
      }
    }
    List<String> calls =
        h.createQuery("SELECT call_id FROM call_participants WHERE subject_id = :s")
            .bind("s", subjectId)
            .mapTo(String.class)
            .list();
    n += update(h, "DELETE FROM call_participants WHERE subject_id = :s", subjectId);
    update(h, "UPDATE calls SET caller_id = NULL WHERE caller_id = :s", subjectId);
    if (!calls.isEmpty()) {
      // A call with nobody left on record says nothing to anyone.
      h.createUpdate(
              "DELETE FROM calls WHERE id IN (<c>) AND NOT EXISTS (SELECT 1 FROM"
                  + " call_participants p WHERE p.call_id = calls.id)")
          .bindList("c", calls)
          .execute();
    }
    return n;
  }

  private static int update(Handle h, String sql, String subjectId) {
    return h.createUpdate(sql).bind("s", subjectId).execute();
  }

  @Override
  public long subjectsWithData() {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT COUNT(*) FROM (SELECT subject_id FROM conversation_members"
                        + " UNION SELECT sender_id FROM messages WHERE sender_id IS NOT NULL"
                        + " UNION SELECT subject_id FROM call_participants) AS people")
                .mapTo(Long.class)
                .one());
  }
}
