package app.candor.core.auth;

import app.candor.core.crypto.Secrets;
import app.candor.core.store.Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Sign-in tokens of people, stored as hashes, valid for a fixed time. Each token is one session,
 * known to its person by a random session id (never the token nor its hash).
 *
 * <p>Every request looks its token up in the database and nothing is remembered between requests,
 * so a session ended on one node (sign-out, ended from the privacy center, erasure) is refused by
 * every node on the very next request. Expired sessions are refused at once and deleted by {@link
 * #purgeExpired}, which the housekeeping runs at start and every six hours.
 */
public final class UserTokens {

  /** A freshly issued token; the plaintext exists only in this value. */
  public record Issued(String token, String subjectId, Instant expiresAt) {
    @Override
    public String toString() {
      return "Issued[token masked, expires " + expiresAt + "]";
    }
  }

  /** One session: its id, when it began and when it ends (the token itself is never kept). */
  public record Session(String sessionId, Instant createdAt, Instant expiresAt) {}

  public static final Duration LIFETIME = Duration.ofHours(24);
  private static final String PREFIX = "cu_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Database db;
  private final Clock clock;

  public UserTokens(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Whether {@code raw} has the shape of a session id (32 lowercase hex digits). */
  public static boolean isSessionId(String raw) {
    return raw.length() == 32
        && raw.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  public Issued issue(Handle h, String subjectId) {
    String token = Secrets.token(PREFIX);
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    long now = clock.millis();
    long expires = now + LIFETIME.toMillis();
    h.createUpdate(
            "INSERT INTO user_tokens (token_hash, session_id, subject_id, created_at, expires_at)"
                + " VALUES (:h, :id, :s, :c, :e)")
        .bind("h", Secrets.sha256(token))
        .bind("id", HexFormat.of().formatHex(id))
        .bind("s", subjectId)
        .bind("c", now)
        .bind("e", expires)
        .execute();
    return new Issued(token, subjectId, Instant.ofEpochMilli(expires));
  }

  Optional<Caller.User> authenticate(String token) {
    if (!token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String hash = Secrets.sha256(token);
    long now = clock.millis();
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT subject_id, token_hash FROM user_tokens"
                        + " WHERE token_hash = :h AND expires_at > :now")
                .bind("h", hash)
                .bind("now", now)
                .map(
                    (rs, ctx) ->
                        Secrets.constantTimeEquals(rs.getString(2), hash)
                            ? Optional.of(new Caller.User(rs.getString(1)))
                            : Optional.<Caller.User>empty())
                .findOne()
                .flatMap(o -> o));
  }

  /** The session id of {@code token}, when it is a live session. */
  public Optional<String> sessionOf(String token) {
    String hash = Secrets.sha256(token);
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT session_id FROM user_tokens WHERE token_hash = :h AND expires_at > :now")
                .bind("h", hash)
                .bind("now", clock.millis())
                .mapTo(String.class)
                .findOne());
  }

  /** Every session held for the person, oldest first, expired ones until they are deleted. */
  public List<Session> sessions(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT session_id, created_at, expires_at FROM user_tokens"
                        + " WHERE subject_id = :s ORDER BY created_at, session_id")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) ->
                        new Session(
                            rs.getString(1),
                            Instant.ofEpochMilli(rs.getLong(2)),
                            Instant.ofEpochMilli(rs.getLong(3))))
                .list());
  }

  /** Ends the session holding {@code token} (sign-out); false when there was none. */
  public boolean end(String token) {
    String hash = Secrets.sha256(token);
    return db.inTransaction(
            h ->
                h.createUpdate("DELETE FROM user_tokens WHERE token_hash = :h")
                    .bind("h", hash)
                    .execute())
        > 0;
  }

  /** Ends one of the person's sessions by its id; false when they have no such session. */
  public boolean end(String subjectId, String sessionId) {
    return db.inTransaction(
            h ->
                h.createUpdate("DELETE FROM user_tokens WHERE subject_id = :s AND session_id = :id")
                    .bind("s", subjectId)
                    .bind("id", sessionId)
                    .execute())
        > 0;
  }

  /** Deletes every expired session; returns how many. */
  public int purgeExpired() {
    long now = clock.millis();
    return db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM user_tokens WHERE expires_at <= :now")
                .bind("now", now)
                .execute());
  }

  /** Signs the person out everywhere, inside the caller's transaction. */
  public int erase(Handle h, String subjectId) {
    return h.createUpdate("DELETE FROM user_tokens WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
  }
}
