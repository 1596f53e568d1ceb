package app.candor.communication;

import app.candor.communication.spam.Reason;
import app.candor.communication.spam.Verdict;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Writes a group of messages in one transaction. For each, in conversation order (one lock order
 * for every node): the conversation's row is locked and its next number taken, the author must
 * still be a member (on PostgreSQL their membership share-locked, so an erasure either follows and
 * shreds the message, or is seen), and a retry (same author, conversation and retry id) answers the
 * message stored the first time instead of storing it again. A service's message is logged in the
 * author's access log inside the same transaction.
 */
final class MessageWriter
    implements GroupCommit.Writer<MessageWriter.Pending, MessageWriter.Written> {

  /** A message ready to write: its text already encrypted and screened on the request thread. */
  record Pending(
      Grant grant,
      MessageInput input,
      @Nullable String bodyCt,
      Verdict spam,
      @Nullable String fuzzy,
      String id,
      long at) {}

  /** What became of one: stored (or found stored before), or refused because not a member. */
  record Written(Optional<Sent> sent) {}

  private final Database db;
  private final PurposeGate gate;

  MessageWriter(Database db, PurposeGate gate) {
    this.db = db;
    this.gate = gate;
  }

  @Override
  public List<Written> write(Handle h, List<Pending> group) {
    List<Integer> order = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> group.get(i).input().conversationId()));
    Written[] out = new Written[group.size()];
    boolean pg = db.dialect() == Database.Dialect.POSTGRESQL;
    for (int i : order) {
      out[i] = writeOne(h, group.get(i), pg);
    }
    return List.of(out);
  }

  private Written writeOne(Handle h, Pending p, boolean pg) {
    MessageInput in = p.input();
    Optional<Long> last =
        h.createQuery(
                "SELECT last_seq FROM conversations WHERE id = :c" + (pg ? " FOR UPDATE" : ""))
            .bind("c", in.conversationId())
            .mapTo(Long.class)
            .findOne();
    if (last.isEmpty() || !Conversations.isMember(h, in.conversationId(), in.from(), pg)) {
      return new Written(Optional.empty());
    }
    Optional<Sent> earlier =
        h.createQuery(
                "SELECT id, at, kind, verdict, score, reasons FROM messages WHERE sender_id = :s"
                    + " AND conversation_id = :c AND client_message_id = :k")
            .bind("s", in.from())
            .bind("c", in.conversationId())
            .bind("k", in.clientMessageId())
            .map(
                (rs, ctx) ->
                    new Sent(
                        rs.getString(1),
                        in.conversationId(),
                        in.from(),
                        Instant.ofEpochMilli(rs.getLong(2)),
                        rs.getString(3),
                        new Verdict(rs.getString(4), rs.getInt(5), reasons(rs.getString(6))),
                        true))
            .findOne();
    if (earlier.isPresent()) {
      return new Written(earlier);
    }
    long seq = last.get() + 1;
    h.createUpdate("UPDATE conversations SET last_seq = :q WHERE id = :c")
        .bind("q", seq)
        .bind("c", in.conversationId())
        .execute();
    h.createUpdate(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_message_id, kind,"
                + " body_ct, media_id, at, verdict, score, reasons, held, fuzzy) VALUES (:id, :c,"
                + " :q, :s, :k, :kind, :body, :media, :at, :verdict, :score, :reasons, :held,"
                + " :fuzzy)")
        .bind("id", p.id())
        .bind("c", in.conversationId())
        .bind("q", seq)
        .bind("s", in.from())
        .bind("k", in.clientMessageId())
        .bind("kind", in.kind())
        .bind("body", p.bodyCt())
        .bind("media", in.mediaId().orElse(null))
        .bind("at", p.at())
        .bind("verdict", p.spam().verdict())
        .bind("score", p.spam().score())
        .bind("reasons", json(p.spam().reasons()))
        .bind("held", p.spam().isSpam() ? 1 : 0)
        .bind("fuzzy", p.fuzzy())
        .execute();
    // The service wrote as the author: in the author's access log, durable with the message.
    gate.changedIn(h, p.grant());
    return new Written(
        Optional.of(
            new Sent(
                p.id(),
                in.conversationId(),
                in.from(),
                Instant.ofEpochMilli(p.at()),
                in.kind(),
                p.spam(),
                false)));
  }

  static String json(List<Reason> reasons) {
    try {
      return Json.mapper().writeValueAsString(reasons);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Reason> reasons(String json) {
    try {
      List<Map<String, String>> raw =
          Json.mapper().readValue(json, new TypeReference<List<Map<String, String>>>() {});
      List<Reason> out = new ArrayList<>(raw.size());
      for (Map<String, String> r : raw) {
        out.add(new Reason(r.get("code"), r.get("detail")));
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored reasons are not JSON", e);
    }
  }
}
