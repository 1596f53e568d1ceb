package app.candor.payment;

import app.candor.core.crypto.FieldCipher;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * {@code Idempotency-Key} as Stripe has it: the first answer to a (caller, key) is stored with a
 * digest of its request and replayed to every retry with the same request; a different request
 * under the same key is 422. The key's row is claimed first in the transaction that moves the
 * money, so of two concurrent requests with one key (on one node or two) exactly one does the work:
 * the other waits on the row (PostgreSQL's unique index; SQLite's single writer), then replays its
 * answer. A request refused with a 4xx writes nothing, its key included, so it may be retried. Keys
 * are kept at least {@link #KEPT}.
 */
final class Idempotency {

  /** How long a key and its answer are kept. */
  static final Duration KEPT = Duration.ofHours(24);

  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** A stored answer: the status and body the first request got. */
  record Answer(int status, Map<String, Object> body) {}

  private final Database db;
  private final Clock clock;

  Idempotency(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** The key as sent, checked: 400 when it is missing or not 1-255 visible ASCII characters. */
  static String requireKey(Optional<String> key) {
    String k =
        key.orElseThrow(
            () ->
                CandorException.invalid(
                    "Idempotency-Key", "the Idempotency-Key header is required (a unique string)"));
    if (!KEY.matcher(k).matches()) {
      throw CandorException.invalid("Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    }
    return k;
  }

  /** The digest that tells a retry from a different request under the same key. */
  static String digest(String canonicalRequest) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Claims (caller, key) inside the caller's transaction: true when this request is the first with
   * the key (its row is now inserted, to be completed by {@link #store}); false when another
   * request has it (then, on PostgreSQL, only once that one committed: the insert waits on it).
   */
  boolean claim(Handle h, String caller, String key, String digest, String subjectId) {
    return h.createUpdate(
                "INSERT INTO idempotency_keys (caller, idem_key, request_sha256,"
                    + " subject_id, status, answer_ct, created_at)"
                    + " VALUES (:c, :k, :d, :s, 0, '', :t)"
                    + " ON CONFLICT (caller, idem_key) DO NOTHING")
            .bind("c", caller)
            .bind("k", key)
            .bind("d", digest)
            .bind("s", subjectId)
            .bind("t", clock.millis())
            .execute()
        == 1;
  }

  /** Stores the answer of a claimed key, in the transaction that claimed it. */
  void store(Handle h, String caller, String key, Answer answer, String subjectId, Aead aead) {
    h.createUpdate(
            "UPDATE idempotency_keys SET status = :st, answer_ct = :a"
                + " WHERE caller = :c AND idem_key = :k")
        .bind("st", answer.status())
        .bind("a", encrypt(aead, subjectId, answer.body()))
        .bind("c", caller)
        .bind("k", key)
        .execute();
  }

  /**
   * The stored answer of an earlier request with this key, once durable: 422 when that request
   * differed, 409 when it is still being carried out. The log is synced first, so an answer
   * committed by a group not yet synced is never replayed before it is on disk.
   */
  Optional<Answer> earlier(String caller, String key, String digest, String subjectId, Aead aead) {
    Optional<Answer> answer = replay(caller, key, digest, subjectId, aead);
    if (answer.isPresent()) {
      db.flush();
    }
    return answer;
  }

  private Optional<Answer> replay(
      String caller, String key, String digest, String subjectId, Aead aead) {
    Optional<Map<String, Object>> row =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT request_sha256, subject_id, status, answer_ct FROM idempotency_keys"
                            + " WHERE caller = :c AND idem_key = :k")
                    .bind("c", caller)
                    .bind("k", key)
                    .mapToMap()
                    .findOne());
    if (row.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> r = row.get();
    if (!digest.equals(r.get("request_sha256")) || !subjectId.equals(r.get("subject_id"))) {
      throw CandorException.unprocessable(
          "this Idempotency-Key was used with a different request; use a new key for a new"
              + " request");
    }
    int status = ((Number) r.get("status")).intValue();
    if (status == 0) {
      throw CandorException.conflict("a request with this Idempotency-Key is in progress");
    }
    try {
      String body =
          FieldCipher.decrypt(aead, subjectId, "payment.retryAnswers", (String) r.get("answer_ct"));
      return Optional.of(new Answer(status, Json.mapper().readValue(body, MAP)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored answer cannot be read", e);
    }
  }

  private static String encrypt(Aead aead, String subjectId, Map<String, Object> body) {
    try {
      return FieldCipher.encrypt(
          aead, subjectId, "payment.retryAnswers", Json.mapper().writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes keys older than {@link #KEPT}; returns how many. */
  int purgeExpired() {
    long before = clock.millis() - KEPT.toMillis();
    return db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM idempotency_keys WHERE created_at < :t")
                .bind("t", before)
                .execute());
  }
}
