package app.candor.payment;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * A person's cards and bank accounts. The number and everything shown about a method are encrypted
 * with the person's key; the fingerprint, a keyed blind index of the number, finds the same card on
 * other accounts without revealing it.
 */
public final class PaymentMethods {

  /** Adding, listing and removing methods: the person, and services with {@code payments}. */
  public static final Access METHODS =
      Access.forPurpose(
          "payment methods", Purpose.PAYMENTS, "payment.methods", "payment.cardFingerprints");

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** A stored method as it may be shown: masked, never the number. */
  public record Method(
      String id, String type, Map<String, Object> shown, String fingerprint, Instant createdAt) {

    /** The API's shape: {@code card: {brand, last4, expMonth, expYear, fingerprint}} or bank. */
    public Map<String, Object> json() {
      Map<String, Object> details = new LinkedHashMap<>(shown);
      details.remove("holderName");
      details.put("fingerprint", fingerprint);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", id);
      out.put("type", type);
      out.put(type.equals("card") ? "card" : "bankAccount", details);
      out.put("createdAt", createdAt.toString());
      return out;
    }

    /** How a history names it: {@code Visa •••• 4242}, {@code Bank account DE •••• 3000}. */
    public String label() {
      String last4 = String.valueOf(shown.getOrDefault("last4", ""));
      if (type.equals("card")) {
        String brand = String.valueOf(shown.getOrDefault("brand", "card"));
        return Character.toUpperCase(brand.charAt(0)) + brand.substring(1) + " •••• " + last4;
      }
      return "Bank account " + shown.getOrDefault("country", "") + " •••• " + last4;
    }

    @Override
    public String toString() {
      return "Method[" + id + ", " + type + ", masked]";
    }
  }

  private final Database db;
  private final SubjectKeys keys;
  private final BlindIndex blind;
  private final Clock clock;
  private final MethodChecks checks;

  public PaymentMethods(Database db, SubjectKeys keys, BlindIndex blind, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.blind = Objects.requireNonNull(blind, "blind");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.checks = new MethodChecks(clock);
  }

  /**
   * Checks and stores a method for the granted person; 400 naming a bad field, 409 when the person
   * already saved the same card or account.
   */
  public Method add(Grant grant, MethodInput input) {
    MethodChecks.Checked checked = checks.check(input);
    String subjectId = grant.subjectId();
    Aead aead = keys.find(subjectId).orElseThrow(() -> CandorException.notFound("person"));
    String fingerprint = blind.of("payment." + checked.type(), checked.number());
    String id = "pm_" + UUID.randomUUID().toString().replace("-", "");
    Instant now = clock.instant();
    String details;
    try {
      details = Json.mapper().writeValueAsString(checked.shown());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    db.useTransaction(
        h -> {
          boolean duplicate =
              h.createQuery(
                      "SELECT 1 FROM payment_methods WHERE subject_id = :s AND fingerprint = :f")
                  .bind("s", subjectId)
                  .bind("f", fingerprint)
                  .mapTo(Integer.class)
                  .findOne()
                  .isPresent();
          if (duplicate) {
            throw CandorException.conflict(
                "this " + label(checked.type()) + " is already saved for the person");
          }
          h.createUpdate(
                  "INSERT INTO payment_methods"
                      + " (id, subject_id, type, details_ct, number_ct, fingerprint, created_at)"
                      + " VALUES (:id, :s, :type, :d, :n, :f, :t)")
              .bind("id", id)
              .bind("s", subjectId)
              .bind("type", checked.type())
              .bind("d", FieldCipher.encrypt(aead, subjectId, "payment.methods", details))
              .bind(
                  "n",
                  FieldCipher.encrypt(aead, subjectId, "payment.methods.number", checked.number()))
              .bind("f", fingerprint)
              .bind("t", now.toEpochMilli())
              .execute();
        });
    grant.reveal("payment.methods");
    grant.reveal("payment.cardFingerprints");
    return new Method(id, checked.type(), checked.shown(), fingerprint, now);
  }

  private static String label(String type) {
    return type.equals("card") ? "card" : "bank account";
  }

  /** The granted person's methods, oldest first, masked. */
  public List<Method> list(Grant grant) {
    grant.reveal("payment.methods");
    grant.reveal("payment.cardFingerprints");
    return db.withHandle(h -> all(h, grant.subjectId()));
  }

  /** The person's methods (empty when the person has no key). */
  List<Method> all(Handle h, String subjectId) {
    Optional<Aead> aead = keys.find(subjectId);
    if (aead.isEmpty()) {
      return List.of();
    }
    return h.createQuery(
            "SELECT id, type, details_ct, fingerprint, created_at FROM payment_methods"
                + " WHERE subject_id = :s ORDER BY created_at, id")
        .bind("s", subjectId)
        .map(
            (rs, ctx) ->
                new Method(
                    rs.getString("id"),
                    rs.getString("type"),
                    shown(aead.get(), subjectId, rs.getString("details_ct")),
                    rs.getString("fingerprint"),
                    Instant.ofEpochMilli(rs.getLong("created_at"))))
        .list();
  }

  /** One of the person's methods, inside the caller's transaction. */
  Optional<Method> find(Handle h, String subjectId, String methodId) {
    return all(h, subjectId).stream().filter(m -> m.id().equals(methodId)).findFirst();
  }

  /** How many other people saved a method with this fingerprint. */
  long otherAccounts(Handle h, String fingerprint, String subjectId) {
    return h.createQuery(
            "SELECT COUNT(DISTINCT subject_id) FROM payment_methods"
                + " WHERE fingerprint = :f AND subject_id <> :s")
        .bind("f", fingerprint)
        .bind("s", subjectId)
        .mapTo(Long.class)
        .one();
  }

  /** Removes one of the granted person's methods; 404 when it is not theirs. */
  public void remove(Grant grant, String methodId) {
    int removed =
        db.inTransaction(
            h ->
                h.createUpdate("DELETE FROM payment_methods WHERE id = :id AND subject_id = :s")
                    .bind("id", methodId)
                    .bind("s", grant.subjectId())
                    .execute());
    if (removed == 0) {
      throw CandorException.notFound("payment method");
    }
    grant.reveal("payment.methods");
  }

  private static Map<String, Object> shown(Aead aead, String subjectId, String ciphertext) {
    try {
      return Json.mapper()
          .readValue(FieldCipher.decrypt(aead, subjectId, "payment.methods", ciphertext), MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored payment method cannot be read", e);
    }
  }
}
