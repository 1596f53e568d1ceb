package app.candor.personal;

import app.candor.core.auth.RateLimiter;
import app.candor.core.auth.UserTokens;
import app.candor.core.crypto.Secrets;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Sign-in by one-time code. A code is 6 digits, valid 10 minutes, 5 attempts; it is stored only as
 * a keyed hash, and the address only as a blind index. Requests answer the same whether or not the
 * address is registered, so nobody can probe who has an account.
 */
public final class SignIn {

  /** A started verification. */
  public record Started(String verificationId, Instant expiresAt) {}

  /** A successful sign-in. */
  public record Verified(String userId, String token, Instant expiresAt) {}

  public static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
  public static final int MAX_ATTEMPTS = 5;

  private final PersonalService people;
  private final UserTokens tokens;
  private final CodeSender sender;
  private final Clock clock;
  private final RateLimiter perAddress;
  private final RateLimiter perClient;

  public SignIn(PersonalService people, UserTokens tokens, CodeSender sender, Clock clock) {
    this.people = Objects.requireNonNull(people, "people");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.perAddress = new RateLimiter(5, Duration.ofMinutes(15), clock);
    this.perClient = new RateLimiter(30, Duration.ofMinutes(10), clock);
  }

  /** Starts a verification of {@code to} over {@code channel}; {@code client} is rate limited. */
  public Started start(String channel, String to, String client) {
    String kind = kind(channel);
    String address =
        "phone".equals(kind) ? Contact.requirePhone("to", to) : Contact.requireEmail("to", to);
    String bidx = people.blindIndex(kind, address);
    if (!perClient.tryAcquire(client)) {
      throw CandorException.tooManyRequests(
          "too many code requests from this client; retry in "
              + perClient.retryAfterSeconds(client)
              + " s");
    }
    if (!perAddress.tryAcquire(bidx)) {
      throw CandorException.tooManyRequests(
          "too many codes requested for this address; retry in "
              + perAddress.retryAfterSeconds(bidx)
              + " s");
    }
    forgetUnknownAddresses(now());
    Optional<String> subject = people.findByAddress(kind, address);
    String id = UUID.randomUUID().toString();
    String code = Secrets.digits(6);
    long now = clock.millis();
    long expires = now + CODE_LIFETIME.toMillis();
    people
        .database()
        .useTransaction(
            h ->
                h.createUpdate(
                        "INSERT INTO otp_verifications (id, channel, target_bidx, subject_id,"
                            + " code_hash, created_at, expires_at, attempts)"
                            + " VALUES (:id, :ch, :b, :s, :c, :now, :exp, 0)")
                    .bind("id", id)
                    .bind("ch", channel)
                    .bind("b", bidx)
                    .bind("s", subject.orElse(null))
                    .bind("c", codeHash(id, code))
                    .bind("now", now)
                    .bind("exp", expires)
                    .execute());
    // Only registered addresses receive a code; the answer is the same either way.
    subject.ifPresent(s -> sender.send(s, channel, address, code));
    return new Started(id, Instant.ofEpochMilli(expires));
  }

  /**
   * Verifications for addresses that belong to nobody hold a keyed hash of a stranger's phone or
   * email; they are useless once expired, so they are deleted then.
   */
  private void forgetUnknownAddresses(long now) {
    people
        .database()
        .useTransaction(
            h ->
                h.createUpdate(
                        "DELETE FROM otp_verifications WHERE subject_id IS NULL AND expires_at < :now")
                    .bind("now", now)
                    .execute());
  }

  private long now() {
    return clock.millis();
  }

  /** Checks {@code code}; on success marks the address verified and issues a token. */
  public Verified verify(String verificationId, String code) {
    Validation v = new Validation();
    if (!isIssuedId(verificationId)) {
      v.add("verificationId", "must be the verificationId returned when the code was sent");
    }
    if (!code.matches("\\d{6}")) {
      v.add("code", "must be the 6 digits that were sent");
    }
    v.throwIfInvalid();
    long now = clock.millis();
    // The transaction returns an empty result for a wrong code, so the attempt count commits.
    Optional<Verified> outcome =
        people
            .database()
            .inTransaction(
                h -> {
                  Attempt a =
                      h.createQuery(
                              "SELECT channel, target_bidx, subject_id, code_hash, expires_at, attempts,"
                                  + " consumed_at FROM otp_verifications WHERE id = :id")
                          .bind("id", verificationId)
                          .map(
                              (rs, ctx) ->
                                  new Attempt(
                                      rs.getString(1),
                                      rs.getString(2),
                                      Optional.ofNullable(rs.getString(3)),
                                      rs.getString(4),
                                      rs.getLong(5),
                                      rs.getInt(6),
                                      rs.getObject(7) != null))
                          .findOne()
                          .orElseThrow(SignIn::rejected);
                  if (a.attempts() >= MAX_ATTEMPTS) {
                    throw CandorException.tooManyRequests(
                        "too many attempts for this code; request a new one");
                  }
                  if (a.consumed() || a.expiresAt() <= now) {
                    throw rejected();
                  }
                  boolean matches =
                      Secrets.constantTimeEquals(a.codeHash(), codeHash(verificationId, code));
                  if (!matches || a.subjectId().isEmpty() || !people.exists(a.subjectId().get())) {
                    h.createUpdate(
                            "UPDATE otp_verifications SET attempts = attempts + 1 WHERE id = :id")
                        .bind("id", verificationId)
                        .execute();
                    return Optional.<Verified>empty();
                  }
                  String subject = a.subjectId().get();
                  h.createUpdate("UPDATE otp_verifications SET consumed_at = :now WHERE id = :id")
                      .bind("now", now)
                      .bind("id", verificationId)
                      .execute();
                  people.markVerified(h, subject, kind(a.channel()), a.targetBidx());
                  UserTokens.Issued issued = tokens.issue(h, subject);
                  return Optional.of(new Verified(subject, issued.token(), issued.expiresAt()));
                });
    return outcome.orElseThrow(SignIn::rejected);
  }

  /**
   * Deletes the person's verifications inside the caller's transaction: theirs, and those asked for
   * their current phone or email before it was registered (they hold its blind index). Call it
   * before the person's row is deleted.
   */
  static int erase(Handle h, String subjectId) {
    return h.createUpdate(
            "DELETE FROM otp_verifications WHERE subject_id = :s OR target_bidx IN"
                + " (SELECT phone_bidx FROM people WHERE subject_id = :s AND phone_bidx IS NOT NULL"
                + " UNION SELECT email_bidx FROM people WHERE subject_id = :s"
                + " AND email_bidx IS NOT NULL)")
        .bind("s", subjectId)
        .execute();
  }

  private String codeHash(String verificationId, String code) {
    return people.blindIndex("otp", verificationId + ":" + code);
  }

  private static String kind(String channel) {
    return switch (channel) {
      case "sms" -> "phone";
      case "email" -> "email";
      default -> throw CandorException.invalid("channel", "must be 'sms' or 'email'");
    };
  }

  /** Whether {@code id} has the form of the ids {@link #start} issues (a canonical UUID). */
  private static boolean isIssuedId(String id) {
    try {
      return id.length() == 36 && UUID.fromString(id).toString().equals(id);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static CandorException rejected() {
    return CandorException.unauthenticated("the code is wrong, expired or already used");
  }

  private record Attempt(
      String channel,
      String targetBidx,
      Optional<String> subjectId,
      String codeHash,
      long expiresAt,
      int attempts,
      boolean consumed) {}
}
