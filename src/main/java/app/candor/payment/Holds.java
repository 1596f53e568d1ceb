package app.candor.payment;

import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles two-phase transfers: a held transfer is captured (all or part of it moves), voided, or
 * expires after its timeout (nothing moves). Settling is one conditional update of the transfer
 * from {@code held}, so of two settlements racing on any nodes exactly one applies and the other
 * gets 409; a hold past its timeout is expired by whichever comes first, the sweeper or a late
 * capture (which then gets 409 too).
 */
final class Holds {
  private static final Logger log = LoggerFactory.getLogger(Holds.class);

  /** A held transfer as its settlement needs it. */
  record Held(
      String id,
      String subjectId,
      String debit,
      String credit,
      long amount,
      String status,
      long expiresAt) {}

  private final Database db;
  private final Ledger ledger;
  private final Clock clock;

  Holds(Database db, Ledger ledger, Clock clock) {
    this.db = db;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** The payer of a transfer, to authorize its settlement against; empty when there is none. */
  Optional<String> payer(String transferId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT subject_id FROM transfers WHERE id = :id")
                .bind("id", transferId)
                .mapTo(String.class)
                .findOne());
  }

  /**
   * Captures {@code amount} of the hold (all of it when empty); 400 when more than held, 409 when
   * the transfer is not held (settled, expired, or never a hold).
   */
  long capture(String transferId, Optional<Long> amount) {
    return settle(transferId, "posted", amount);
  }

  void voidHold(String transferId) {
    settle(transferId, "voided", Optional.of(0L));
  }

  private long settle(String transferId, String outcome, Optional<Long> amount) {
    long now = clock.millis();
    boolean[] expired = {false};
    long captured =
        db.inTransactionRetried(
            h -> {
              Held held =
                  find(h, transferId).orElseThrow(() -> CandorException.notFound("transfer"));
              if (!held.status().equals("held")) {
                throw CandorException.conflict(
                    "the transfer is " + held.status() + ", not held: it was settled already");
              }
              if (held.expiresAt() <= now) {
                expired[0] = settleOne(h, held, "expired", 0, now);
                return -1L;
              }
              long take = amount.orElse(held.amount());
              if (take < 0 || take > held.amount()) {
                throw CandorException.invalid(
                    "amount", "must be from 0 to the held amount, " + held.amount());
              }
              if (!settleOne(h, held, outcome, take, now)) {
                throw CandorException.conflict("the transfer was settled by another request");
              }
              return take;
            });
    if (captured < 0) {
      throw CandorException.conflict("the hold expired before it was settled; nothing moved");
    }
    return captured;
  }

  /** Moves the held transfer to {@code outcome}; false when another settlement came first. */
  private boolean settleOne(Handle h, Held held, String outcome, long captured, long now) {
    int changed =
        h.createUpdate(
                "UPDATE transfers SET status = :o, posted_amount = :c, settled_at = :t"
                    + " WHERE id = :id AND status = 'held'")
            .bind("o", outcome)
            .bind("c", captured)
            .bind("t", now)
            .bind("id", held.id())
            .execute();
    if (changed == 0) {
      return false;
    }
    ledger.settle(h, held.debit(), held.credit(), held.amount(), captured);
    return true;
  }

  private static Optional<Held> find(Handle h, String id) {
    return h.createQuery(
            "SELECT id, subject_id, debit_account, credit_account, amount, status, expires_at"
                + " FROM transfers WHERE id = :id")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new Held(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getLong(5),
                    rs.getString(6),
                    rs.getLong(7)))
        .findOne();
  }

  /** Expires every hold past its timeout; returns how many. Runs every second on every node. */
  int expireDue() {
    long now = clock.millis();
    List<String> due =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT id FROM transfers WHERE status = 'held' AND expires_at <= :t"
                            + " ORDER BY expires_at LIMIT 500")
                    .bind("t", now)
                    .mapTo(String.class)
                    .list());
    int expired = 0;
    for (String id : due) {
      Boolean done =
          db.inTransactionRetried(
              h ->
                  find(h, id)
                      .filter(x -> x.status().equals("held"))
                      .map(x -> settleOne(h, x, "expired", 0, now))
                      .orElse(false));
      if (done) {
        expired++;
      }
    }
    if (expired > 0) {
      log.debug("expired {} holds", expired);
    }
    return expired;
  }

  static Map<String, Object> settled(String id, String status, long captured, String currency) {
    return Map.of(
        "id", id, "status", status, "capturedAmount", new Money(captured, currency).json());
  }
}
