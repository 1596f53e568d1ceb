package app.candor.communication;

import app.candor.core.access.Access;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Members' reports of messages as spam, fraud or abuse: one per member and message (reporting again
 * changes nothing), for the operators' queue and the author's reputation.
 */
public final class Reports {

  /** Reporting a message for a member: the member, and services with {@code messaging}. */
  public static final Access REPORT =
      Access.forPurpose("message reports", Purpose.MESSAGING, "communication.reports");

  /** The reasons a report may give; never free text, which could carry anyone's data. */
  public static final Set<String> REASONS = Set.of("spam", "fraud", "abuse", "other");

  private final Database db;
  private final Clock clock;

  Reports(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
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
          h.createUpdate(
                  "INSERT INTO message_reports (message_id, reporter_id, reason, at)"
                      + " VALUES (:m, :by, :r, :at) ON CONFLICT DO NOTHING")
              .bind("m", messageId)
              .bind("by", by)
              .bind("r", reason)
              .bind("at", clock.millis())
              .execute();
        });
  }
}
