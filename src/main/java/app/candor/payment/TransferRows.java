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

  /**
   * A transfer id: {@code tr_} and 32 hex digits laid out as a version 7 UUID (the time first, then
   * 74 random bits from a secure generator, so ids cannot be guessed), so new transfers append to
   * the primary-key index instead of rewriting a random page of it in every group commit.
   */
  static String newId(long now) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long high = (now << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long low = 0x8000_0000_0000_0000L;
    for (int i = 2; i < 10; i++) {
      low |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    low = (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return "tr_" + String.format("%016x%016x", high, low);
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
}
