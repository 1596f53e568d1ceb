package app.candor.payment;

import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What a person's money did: the wallet's balance and holds, the transactions newest first with a
 * cursor, and one transfer. Counterparties are named as the person sees them: another person by
 * name (through the gate, counted into that person's access log), a merchant by its name, a card by
 * brand and last 4 digits, and anyone erased as "erased account".
 */
final class History {

  static final String ERASED = "erased account";
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** One stored transfer. */
  record Row(
      String id,
      String kind,
      String debit,
      String credit,
      String currency,
      long amount,
      long posted,
      String status,
      @Nullable String payer,
      @Nullable String methodId,
      @Nullable String noteCt,
      @Nullable String riskCt,
      long createdAt,
      @Nullable Long expiresAt) {

    long shownAmount() {
      return status.equals("posted") ? posted : amount;
    }
  }

  private final Database db;
  private final SubjectKeys keys;
  private final PaymentMethods methods;
  private final Merchants merchants;
  private final Ledger ledger;
  private final PurposeGate gate;
  private final Function<Collection<String>, Map<String, String>> names;
  private final String currency;

  History(
      Database db,
      SubjectKeys keys,
      PaymentMethods methods,
      Merchants merchants,
      Ledger ledger,
      PurposeGate gate,
      Function<Collection<String>, Map<String, String>> names,
      String currency) {
    this.db = db;
    this.keys = keys;
    this.methods = methods;
    this.merchants = merchants;
    this.ledger = ledger;
    this.gate = gate;
    this.names = names;
    this.currency = currency;
  }

  /** The granted person's wallet: {@code {balance, held}}, zero before the first payment. */
  Map<String, Object> wallet(Grant grant) {
    grant.reveal("payment.wallet");
    Optional<Ledger.Account> account =
        db.withHandle(
            h ->
                ledger
                    .find(h, Ledger.WALLET, grant.subjectId(), currency)
                    .flatMap(id -> ledger.get(h, id)));
    long balance = account.map(Ledger.Account::balance).orElse(0L);
    long held = account.map(Ledger.Account::held).orElse(0L);
    return Map.of(
        "balance", new Money(balance - held, currency).json(),
        "held", new Money(held, currency).json());
  }

  /** A page of the granted person's transactions, newest first, and the cursor of the next. */
  Map<String, Object> transactions(Grant grant, int limit, Optional<String> cursor) {
    if (limit < 1 || limit > 100) {
      throw CandorException.invalid("limit", "must be from 1 to 100");
    }
    long[] after = {Long.MAX_VALUE};
    String[] afterId = {"~"};
    cursor.ifPresent(
        c -> {
          try {
            String[] parts =
                new String(Base64.getUrlDecoder().decode(c), StandardCharsets.UTF_8).split(":", 2);
            after[0] = Long.parseLong(parts[0]);
            afterId[0] = parts[1];
          } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw CandorException.invalid("cursor", "is not a cursor this API gave out");
          }
        });
    grant.reveal("payment.transactions");
    grant.reveal("payment.notes");
    String subject = grant.subjectId();
    Optional<String> wallet = db.withHandle(h -> ledger.find(h, Ledger.WALLET, subject, currency));
    List<Row> rows =
        db.withHandle(
            h -> {
              if (wallet.isEmpty()) {
                return List.<Row>of();
              }
              return h.createQuery(
                      "SELECT * FROM transfers WHERE (debit_account = :w OR credit_account = :w)"
                          + " AND (created_at < :c OR (created_at = :c AND id < :i))"
                          + " ORDER BY created_at DESC, id DESC LIMIT :n")
                  .bind("w", wallet.get())
                  .bind("c", after[0])
                  .bind("i", afterId[0])
                  .bind("n", limit + 1)
                  .map((rs, ctx) -> row(rs))
                  .list();
            });
    boolean more = rows.size() > limit;
    List<Row> page = more ? rows.subList(0, limit) : rows;
    String mine = wallet.orElse("");
    Map<String, String> counterparties = counterparties(grant, mine, page);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row r : page) {
      boolean in = r.credit().equals(mine);
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("id", r.id());
      t.put("at", Instant.ofEpochMilli(r.createdAt()).toString());
      t.put("direction", in ? "in" : "out");
      t.put("counterparty", Map.of("name", counterparties.getOrDefault(r.id(), ERASED)));
      t.put("amount", new Money(r.shownAmount(), r.currency()).json());
      t.put("status", r.status());
      t.put("note", note(r).orElse(null));
      out.add(t);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("transactions", out);
    Row last = page.isEmpty() ? null : page.get(page.size() - 1);
    answer.put(
        "nextCursor",
        more && last != null
            ? Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    (last.createdAt() + ":" + last.id()).getBytes(StandardCharsets.UTF_8))
            : null);
    return answer;
  }

  /** The name of the other side of each transfer, as the person may see it. */
  private Map<String, String> counterparties(Grant viewer, String wallet, List<Row> rows) {
    Map<String, String> byTransfer = new HashMap<>();
    Map<String, String> personOf = new HashMap<>();
    Map<String, Ledger.Account> accounts = new HashMap<>();
    db.withHandle(
        h -> {
          for (Row r : rows) {
            for (String id : List.of(r.debit(), r.credit())) {
              if (!accounts.containsKey(id)) {
                ledger.get(h, id).ifPresent(a -> accounts.put(id, a));
              }
            }
          }
          return null;
        });
    Map<String, PaymentMethods.Method> saved =
        db.withHandle(h -> methods.all(h, viewer.subjectId())).stream()
            .collect(Collectors.toMap(PaymentMethods.Method::id, m -> m));
    Set<String> people = new java.util.HashSet<>();
    for (Row r : rows) {
      boolean in = r.credit().equals(wallet);
      Ledger.Account other = accounts.get(in ? r.debit() : r.credit());
      if (other == null || other.ownerId() == null) {
        byTransfer.put(r.id(), ERASED);
      } else if (other.kind().equals(Ledger.WALLET)) {
        personOf.put(r.id(), other.ownerId());
        people.add(other.ownerId());
      } else if (other.kind().equals(Ledger.MERCHANT)) {
        byTransfer.put(
            r.id(), merchants.find(other.ownerId()).map(Merchants.Merchant::name).orElse(ERASED));
      } else {
        PaymentMethods.Method m = r.methodId() == null ? null : saved.get(r.methodId());
        byTransfer.put(r.id(), m == null ? "removed card or bank account" : m.label());
      }
    }
    if (!people.isEmpty()) {
      Map<String, String> shown =
          gate.readShown(viewer, people, Purpose.PAYMENTS, List.of("personal.name"), names::apply);
      personOf.forEach((t, p) -> byTransfer.put(t, shown.getOrDefault(p, ERASED)));
    }
    return byTransfer;
  }

  private Optional<String> note(Row r) {
    if (r.noteCt() == null || r.payer() == null) {
      return Optional.empty();
    }
    return keys.find(r.payer())
        .map(aead -> FieldCipher.decrypt(aead, r.payer(), "payment.notes", r.noteCt()));
  }

  /** One transfer as its creation answered it, now; for the granted payer. */
  Map<String, Object> transfer(Grant grant, String transferId) {
    Row r =
        db.withHandle(
                h ->
                    h.createQuery("SELECT * FROM transfers WHERE id = :id")
                        .bind("id", transferId)
                        .map((rs, ctx) -> row(rs))
                        .findOne())
            .filter(x -> grant.subjectId().equals(x.payer()))
            .orElseThrow(() -> CandorException.notFound("transfer"));
    grant.revealAll();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", r.id());
    out.put("kind", r.kind());
    out.put("status", r.status());
    out.put("from", r.payer());
    Optional<Ledger.Account> to = db.withHandle(h -> ledger.get(h, r.credit()));
    out.put("to", to(r, to));
    out.put("amount", new Money(r.amount(), r.currency()).json());
    if (!r.status().equals("held") && !r.status().equals("declined")) {
      out.put("capturedAmount", new Money(r.posted(), r.currency()).json());
    }
    note(r).ifPresent(n -> out.put("note", n));
    if (r.expiresAt() != null) {
      out.put("expiresAt", Instant.ofEpochMilli(r.expiresAt()).toString());
    }
    out.put("createdAt", Instant.ofEpochMilli(r.createdAt()).toString());
    Optional<Aead> aead = keys.find(grant.subjectId());
    if (r.riskCt() != null && aead.isPresent()) {
      String risk =
          FieldCipher.decrypt(aead.get(), grant.subjectId(), "payment.riskAssessments", r.riskCt());
      try {
        out.put("risk", Json.mapper().readValue(risk, MAP));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("a stored assessment cannot be read", e);
      }
    }
    return out;
  }

  private static Map<String, Object> to(Row r, Optional<Ledger.Account> account) {
    if (account.isEmpty() || account.get().ownerId() == null) {
      return Map.of("name", ERASED);
    }
    Ledger.Account a = account.get();
    return switch (a.kind()) {
      case Ledger.WALLET -> Map.of("userId", a.ownerId());
      case Ledger.MERCHANT -> Map.of("merchantId", a.ownerId());
      default -> Map.of("paymentMethodId", r.methodId() == null ? "" : r.methodId());
    };
  }

  static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    long expires = rs.getLong("expires_at");
    Long expiresAt = rs.wasNull() ? null : expires;
    return new Row(
        rs.getString("id"),
        rs.getString("kind"),
        rs.getString("debit_account"),
        rs.getString("credit_account"),
        rs.getString("currency"),
        rs.getLong("amount"),
        rs.getLong("posted_amount"),
        rs.getString("status"),
        rs.getString("subject_id"),
        rs.getString("payment_method_id"),
        rs.getString("note_ct"),
        rs.getString("risk_ct"),
        rs.getLong("created_at"),
        expiresAt);
  }
}
