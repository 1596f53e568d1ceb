package app.candor.communication;

import app.candor.core.access.Access;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Members' reports of messages as spam, fraud or abuse: one per member and message (reporting again
 * changes nothing), for the operators' queue and the author's reputation; the link domains of a
 * message reported as spam or fraud are remembered (by keyed hash), so later links to them count.
 */
public final class Reports {

  /** Reporting a message for a member: the member, and services with {@code messaging}. */
  public static final Access REPORT =
      Access.forPurpose("message reports", Purpose.MESSAGING, "communication.reports");

  /** The reasons a report may give; never free text, which could carry anyone's data. */
  public static final Set<String> REASONS = Set.of("spam", "fraud", "abuse", "other");

  private final Database db;
  private final SubjectKeys keys;
  private final Behaviour behaviour;
  private final Clock clock;

  Reports(Database db, SubjectKeys keys, Behaviour behaviour, Clock clock) {
    this.db = db;
    this.keys = keys;
    this.behaviour = behaviour;
    this.clock = clock;
  }

  /** The link domains of a message, read with its author's key (none once the author is gone). */
  private Set<String> linkDomains(org.jdbi.v3.core.Handle h, String messageId) {
    record Body(
        @org.jspecify.annotations.Nullable String sender,
        @org.jspecify.annotations.Nullable String ct) {}
    Body body =
        h.createQuery("SELECT sender_id, body_ct FROM messages WHERE id = :m")
            .bind("m", messageId)
            .map((rs, ctx) -> new Body(rs.getString(1), rs.getString(2)))
            .one();
    String sender = body.sender();
    String ct = body.ct();
    if (sender == null || ct == null) {
      return Set.of();
    }
    return keys.find(sender)
        .map(aead -> behaviour.domains(FieldCipher.decrypt(aead, sender, Messages.BODY_FIELD, ct)))
        .orElse(Set.of());
  }

  /**
   * Records that {@code by} reported message {@code messageId} for {@code reason}: 404 when there
   * is no such message or {@code by} is not a member of its conversation (held messages included: a
   * member cannot report what they were never shown, unless they wrote it).
   */
  public void report(String messageId, String by, String reason) {
    if (!REASONS.contains(reason)) {
      throw new IllegalArgumentException("unknown reason");
    }
    db.useTransaction(
        h -> {
          boolean pg = db.dialect() == Database.Dialect.POSTGRESQL;
          Optional<String> conversation =
              h.createQuery(
                      "SELECT conversation_id FROM messages WHERE id = :m"
                          + " AND (held = 0 OR sender_id = :by)")
                  .bind("m", messageId)
                  .bind("by", by)
                  .mapTo(String.class)
                  .findOne();
          if (conversation.isEmpty() || !Conversations.isMember(h, conversation.get(), by, pg)) {
            throw CandorException.notFound("message");
          }
          int added =
              h.createUpdate(
                      "INSERT INTO message_reports (message_id, reporter_id, reason, at)"
                          + " VALUES (:m, :by, :r, :at) ON CONFLICT DO NOTHING")
                  .bind("m", messageId)
                  .bind("by", by)
                  .bind("r", reason)
                  .bind("at", clock.millis())
                  .execute();
          if (added == 1 && (reason.equals("spam") || reason.equals("fraud"))) {
            Optional<String> sender =
                h.createQuery("SELECT sender_id FROM messages WHERE id = :m")
                    .bind("m", messageId)
                    .mapTo(String.class)
                    .findOne();
            behaviour.reported(h, sender.orElse(null), linkDomains(h, messageId));
          }
        });
  }
}
