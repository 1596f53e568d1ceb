package app.candor.communication;

import app.candor.communication.spam.Verdict;
import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operators' queue: messages held as spam and messages members reported, newest first. What
 * they are (verdict, reasons, reports) comes without their text; the text is read per author
 * through the purpose gate, under {@code safety}, so each read is in the author's access log.
 */
public final class SpamQueue {

  /** Operators reading a queued message's text, for safety. */
  public static final Access CONTENT =
      Access.forPurpose(
              "the spam queue",
              Purpose.SAFETY,
              "communication.messages",
              "communication.spamVerdicts")
          .withOperators();

  /** One queued message, without its text. */
  public record Item(
      String messageId,
      String conversationId,
      Optional<String> from,
      Instant at,
      String kind,
      boolean held,
      Verdict spam,
      int reports) {}

  private final Database db;
  private final SubjectKeys keys;

  SpamQueue(Database db, SubjectKeys keys) {
    this.db = db;
    this.keys = keys;
  }

  /** The newest {@code limit} held or reported messages. */
  public List<Item> items(int limit) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT m.id, m.conversation_id, m.sender_id, m.at, m.kind, m.held, m.verdict,"
                        + " m.score, m.reasons, (SELECT COUNT(*) FROM message_reports r"
                        + " WHERE r.message_id = m.id) AS reports FROM messages m"
                        + " WHERE m.id IN (SELECT id FROM (SELECT id FROM messages WHERE held = 1"
                        + " ORDER BY at DESC LIMIT :limit) AS h"
                        + " UNION SELECT message_id FROM message_reports)"
                        + " ORDER BY m.at DESC, m.id LIMIT :limit")
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Item(
                            rs.getString(1),
                            rs.getString(2),
                            Optional.ofNullable(rs.getString(3)),
                            Instant.ofEpochMilli(rs.getLong(4)),
                            rs.getString(5),
                            rs.getInt(6) == 1,
                            new Verdict(
                                rs.getString(7),
                                rs.getInt(8),
                                MessageWriter.reasons(rs.getString(9))),
                            rs.getInt(10)))
                .list());
  }

  /** The texts of the granted author's messages among {@code messageIds}, by message id. */
  public Map<String, String> texts(Grant grant, List<String> messageIds) {
    String author = grant.subjectId();
    Map<String, String> out = new HashMap<>();
    Optional<Aead> key = keys.find(author);
    if (key.isEmpty() || messageIds.isEmpty()) {
      return out;
    }
    db.withHandle(
        h -> {
          h.createQuery(
                  "SELECT id, body_ct FROM messages WHERE sender_id = :s AND id IN (<ids>)"
                      + " AND body_ct IS NOT NULL")
              .bind("s", author)
              .bindList("ids", messageIds)
              .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
              .forEach(
                  e ->
                      out.put(
                          e.getKey(),
                          FieldCipher.decrypt(
                              key.get(), author, Messages.BODY_FIELD, e.getValue())));
          return null;
        });
    grant.revealAll();
    return out;
  }
}
