package app.candor.core.auth;

import app.candor.core.crypto.Secrets;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Sign-in tokens of people, stored as hashes, valid for a fixed time. */
public final class UserTokens {

  /** A freshly issued token; the plaintext exists only in this value. */
  public record Issued(String token, String subjectId, Instant expiresAt) {}

  public static final Duration LIFETIME = Duration.ofHours(24);
  private static final String PREFIX = "cu_";
  private final Database db;
  private final Clock clock;

  public UserTokens(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Issued issue(Handle h, String subjectId) {
    String token = Secrets.token(PREFIX);
    long now = clock.millis();
    long expires = now + LIFETIME.toMillis();
    h.createUpdate(
            "INSERT INTO user_tokens (token_hash, subject_id, created_at, expires_at)"
                + " VALUES (:h, :s, :c, :e)")
        .bind("h", Secrets.sha256(token))
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

  /** One session: when it began and when it ends (the token itself is never kept). */
  public record Session(Instant createdAt, Instant expiresAt) {}

  public List<Session> sessions(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT created_at, expires_at FROM user_tokens WHERE subject_id = :s"
                        + " ORDER BY created_at")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) ->
                        new Session(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            Instant.ofEpochMilli(rs.getLong(2))))
                .list());
  }

  /** Signs the person out everywhere, inside the caller's transaction. */
  public int erase(Handle h, String subjectId) {
    return h.createUpdate("DELETE FROM user_tokens WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
  }
}
