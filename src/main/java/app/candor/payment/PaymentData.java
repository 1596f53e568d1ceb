package app.candor.payment;

import app.candor.core.access.Grant;
import app.candor.core.catalog.Category;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import app.candor.privacy.SubjectData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The payment category's part of privacy requests. Erasure is refused while the wallet holds money
 * or a hold is pending (pay it out first); otherwise the person's methods, stored answers and daily
 * totals go, their wallet loses its owner, and their transfers stay for the counterparties and the
 * ledger with nothing about them left: no owner, no note, no reasons.
 */
public final class PaymentData implements SubjectData {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final long DAILY_KEPT_DAYS = 400;

  private final Database db;
  private final SubjectKeys keys;
  private final PaymentMethods methods;
  private final History history;
  private final String currency;

  PaymentData(
      Database db, SubjectKeys keys, PaymentMethods methods, History history, String currency) {
    this.db = db;
    this.keys = keys;
    this.methods = methods;
    this.history = history;
    this.currency = currency;
  }

  @Override
  public Category category() {
    return Category.PAYMENT;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of(
        "payment.methods",
        "payment.cardFingerprints",
        "payment.wallet",
        "payment.transactions",
        "payment.notes",
        "payment.riskAssessments",
        "payment.retryAnswers",
        "payment.dailyTotals");
  }

  private record Mine(List<History.Row> paid, List<History.Row> all, Optional<String> wallet) {}

  private Mine mine(Handle h, String subjectId) {
    Optional<String> wallet =
        h.createQuery(
                "SELECT id FROM ledger_accounts WHERE kind = 'wallet' AND owner_id = :s"
                    + " AND currency = :c")
            .bind("s", subjectId)
            .bind("c", currency)
            .mapTo(String.class)
            .findOne();
    List<History.Row> all =
        h.createQuery(
                "SELECT * FROM transfers WHERE subject_id = :s OR debit_account = :w"
                    + " OR credit_account = :w ORDER BY created_at, id")
            .bind("s", subjectId)
            .bind("w", wallet.orElse(""))
            .map((rs, ctx) -> History.row(rs))
            .list();
    List<History.Row> paid = all.stream().filter(r -> subjectId.equals(r.payer())).toList();
    return new Mine(paid, all, wallet);
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<Held> out = new ArrayList<>();
    List<PaymentMethods.Method> saved = db.withHandle(h -> methods.all(h, subjectId));
    if (!saved.isEmpty()) {
      List<Map<String, Object>> shown = new ArrayList<>();
      for (PaymentMethods.Method m : saved) {
        Map<String, Object> v = new LinkedHashMap<>(m.json());
        v.put("holderName", m.shown().get("holderName"));
        shown.add(v);
      }
      Optional<Instant> first = Optional.of(saved.get(0).createdAt());
      Optional<Instant> last = Optional.of(saved.get(saved.size() - 1).createdAt());
      out.add(Held.value("payment.methods", shown, first, last));
      out.add(Held.count("payment.cardFingerprints", saved.size(), first, last));
    }
    Mine mine = db.withHandle(h -> mine(h, subjectId));
    if (mine.wallet().isPresent()) {
      Map<String, Object> wallet =
          db.withHandle(
              h ->
                  h.createQuery("SELECT balance, held FROM ledger_accounts WHERE id = :id")
                      .bind("id", mine.wallet().get())
                      .mapToMap()
                      .one());
      long balance = ((Number) wallet.get("balance")).longValue();
      long held = ((Number) wallet.get("held")).longValue();
      out.add(
          Held.value(
              "payment.wallet",
              Map.of(
                  "balance", new Money(balance - held, currency).json(),
                  "held", new Money(held, currency).json()),
              Optional.empty(),
              Optional.empty()));
    }
    if (!mine.all().isEmpty()) {
      out.add(
          Held.count(
              "payment.transactions",
              mine.all().size(),
              at(mine.all().get(0)),
              at(mine.all().get(mine.all().size() - 1))));
    }
    long notes = mine.paid().stream().filter(r -> r.noteCt() != null).count();
    if (notes > 0) {
      out.add(Held.count("payment.notes", notes, Optional.empty(), Optional.empty()));
    }
    List<Map<String, Object>> assessments = assessments(subjectId, mine.paid());
    if (!assessments.isEmpty()) {
      out.add(
          Held.value(
              "payment.riskAssessments",
              assessments,
              at(mine.paid().get(0)),
              at(mine.paid().get(mine.paid().size() - 1))));
    }
    long answers =
        db.withHandle(
            h ->
                h.createQuery("SELECT COUNT(*) FROM idempotency_keys WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .mapTo(Long.class)
                    .one());
    if (answers > 0) {
      out.add(Held.count("payment.retryAnswers", answers, Optional.empty(), Optional.empty()));
    }
    if (mine.wallet().isPresent()) {
      long days =
          db.withHandle(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM payment_daily WHERE account_id = :a")
                      .bind("a", mine.wallet().get())
                      .mapTo(Long.class)
                      .one());
      if (days > 0) {
        out.add(Held.count("payment.dailyTotals", days, Optional.empty(), Optional.empty()));
      }
    }
    return out;
  }

  private static Optional<Instant> at(History.Row r) {
    return Optional.of(Instant.ofEpochMilli(r.createdAt()));
  }

  /** The fraud check of each transfer the person paid: id, score, decision and reasons. */
  private List<Map<String, Object>> assessments(String subjectId, List<History.Row> paid) {
    Optional<Aead> aead = keys.find(subjectId);
    List<Map<String, Object>> out = new ArrayList<>();
    for (History.Row r : paid) {
      if (r.riskCt() == null || aead.isEmpty()) {
        continue;
      }
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("transferId", r.id());
      try {
        a.putAll(
            Json.mapper()
                .readValue(
                    FieldCipher.decrypt(
                        aead.get(), subjectId, "payment.riskAssessments", r.riskCt()),
                    MAP));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      out.add(a);
    }
    return out;
  }

  @Override
  public List<Table> tables(String subjectId) {
    Mine mine = db.withHandle(h -> mine(h, subjectId));
    if (mine.all().isEmpty()) {
      return List.of();
    }
    List<List<String>> rows = new ArrayList<>();
    for (History.Row r : mine.all()) {
      rows.add(
          List.of(
              r.id(),
              Instant.ofEpochMilli(r.createdAt()).toString(),
              r.kind(),
              r.credit().equals(mine.wallet().orElse("")) ? "in" : "out",
              Long.toString(r.shownAmount()),
              r.currency(),
              r.status()));
    }
    return List.of(
        new Table(
            "payment.transactions",
            "transactions",
            List.of("id", "at", "kind", "direction", "amount", "currency", "status"),
            rows));
  }

  @Override
  public void checkErasable(Handle h, String subjectId) {
    boolean postgres = Database.dialectOf(h) == Database.Dialect.POSTGRESQL;
    Optional<Map<String, Object>> wallet =
        h.createQuery(
                "SELECT balance, held FROM ledger_accounts WHERE kind = 'wallet'"
                    + " AND owner_id = :s"
                    + (postgres ? " FOR UPDATE" : ""))
            .bind("s", subjectId)
            .mapToMap()
            .findOne();
    if (wallet.isPresent()
        && (((Number) wallet.get().get("balance")).longValue() != 0
            || ((Number) wallet.get().get("held")).longValue() != 0)) {
      throw CandorException.conflict(
          "the wallet still holds money or a pending hold: pay the balance out (POST"
              + " /v1/users/{id}/wallet/pay-outs) and settle holds before erasing");
    }
  }

  @Override
  public int erase(Handle h, String subjectId) {
    Mine mine = mine(h, subjectId);
    int count =
        h.createUpdate("DELETE FROM payment_methods WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    count +=
        h.createUpdate("DELETE FROM idempotency_keys WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    count += mine.all().size();
    h.createUpdate(
            "UPDATE transfers SET subject_id = NULL, note_ct = NULL, risk_ct = NULL,"
                + " payment_method_id = NULL WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
    if (mine.wallet().isPresent()) {
      count +=
          h.createUpdate("DELETE FROM payment_daily WHERE account_id = :a")
              .bind("a", mine.wallet().get())
              .execute();
      h.createUpdate("UPDATE ledger_accounts SET owner_id = NULL WHERE id = :a")
          .bind("a", mine.wallet().get())
          .execute();
      count++;
    }
    return count;
  }

  @Override
  public long subjectsWithData() {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT COUNT(*) FROM (SELECT subject_id FROM payment_methods UNION"
                        + " SELECT owner_id FROM ledger_accounts WHERE kind = 'wallet'"
                        + " AND owner_id IS NOT NULL) x")
                .mapTo(Long.class)
                .one());
  }

  Map<String, Object> reportFraud(Grant grant, String transferId, long now) {
    return db.inTransaction(
        h -> {
          History.Row r =
              h.createQuery("SELECT * FROM transfers WHERE id = :id")
                  .bind("id", transferId)
                  .map((rs, ctx) -> History.row(rs))
                  .findOne()
                  .filter(x -> grant.subjectId().equals(x.payer()))
                  .orElseThrow(() -> CandorException.notFound("transfer"));
          int marked =
              h.createUpdate(
                      "UPDATE transfers SET fraud_reported_at = :t"
                          + " WHERE id = :id AND fraud_reported_at IS NULL")
                  .bind("t", now)
                  .bind("id", transferId)
                  .execute();
          if (marked == 0) {
            throw CandorException.conflict("this transfer was reported as fraud already");
          }
          long day = FraudCheck.day(r.createdAt());
          FraudCheck.fraud(h, r.debit(), day);
          FraudCheck.fraud(h, r.credit(), day);
          grant.reveal("payment.riskAssessments");
          return Map.<String, Object>of(
              "transferId", transferId, "reportedAt", Instant.ofEpochMilli(now).toString());
        });
  }

  void purgeExpired(long now, Duration records) {
    long dayCutoff = FraudCheck.day(now) - DAILY_KEPT_DAYS;
    long settledBefore = now - records.toMillis();
    db.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM payment_daily WHERE day < :d").bind("d", dayCutoff).execute();
          // The amounts stay (every balance is the sum of its transfers); what describes the
          // payment beyond them goes.
          h.createUpdate(
                  "UPDATE transfers SET note_ct = NULL, risk_ct = NULL, payment_method_id = NULL"
                      + " WHERE settled_at IS NOT NULL AND settled_at < :t"
                      + " AND (note_ct IS NOT NULL OR risk_ct IS NOT NULL"
                      + " OR payment_method_id IS NOT NULL)")
              .bind("t", settledBefore)
              .execute();
        });
  }
}
