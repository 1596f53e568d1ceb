package app.candor.payment;

import app.candor.core.crypto.FieldCipher;
import app.candor.core.json.Json;
import app.candor.payment.risk.Assessment;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.crypto.tink.Aead;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * How a transfer is written: its row (the note and the fraud reasons encrypted with the payer's
 * key) and its id.
 */
final class TransferRows {
  private final String currency;

  TransferRows(String currency) {
    this.currency = currency;
  }

  void insert(
      Handle h,
      String id,
      String kind,
      String debit,
      String credit,
      TransferRequest r,
      Aead aead,
      String status,
      long posted,
      Assessment risk,
      long now,
      Optional<Long> expiresAt) {
    String payer = r.from();
    h.createUpdate(
            "INSERT INTO transfers (id, kind, debit_account, credit_account, currency, amount,"
                + " posted_amount, status, subject_id, payment_method_id, note_ct, risk_score,"
                + " risk_decision, risk_ct, created_at, expires_at, settled_at) VALUES (:id, :k,"
                + " :d, :c, :cur, :a, :p, :st, :s, :m, :n, :rs, :rd, :rc, :t, :e, :set)")
        .bind("id", id)
        .bind("k", kind)
        .bind("d", debit)
        .bind("c", credit)
        .bind("cur", currency)
        .bind("a", r.amount().amount())
        .bind("p", posted)
        .bind("st", status)
        .bind("s", payer)
        .bind("m", r.methodId().orElse(null))
        .bind(
            "n",
            r.note().map(n -> FieldCipher.encrypt(aead, payer, "payment.notes", n)).orElse(null))
        .bind("rs", risk.score())
        .bind("rd", FraudCheck.decision(risk))
        .bind("rc", FieldCipher.encrypt(aead, payer, "payment.riskAssessments", json(risk)))
        .bind("t", now)
        .bind("e", expiresAt.orElse(null))
        .bind("set", status.equals("held") ? null : now)
        .execute();
  }

  private static String json(Assessment risk) {
    try {
      return Json.mapper().writeValueAsString(FraudCheck.json(risk));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A transfer id: {@code tr_} and 32 hex digits, time-ordered and unguessable. */
  static String newId(long now) {
    return app.candor.core.store.Ids.timeOrdered("tr_", now);
  }
}
