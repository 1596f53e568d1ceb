package app.candor.personal;

import app.candor.core.auth.SharedRateLimiter;
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
 * address is registered, so nobody can probe who has an account; {@link CodeDelivery} sends the
 * code to registered addresses only, in the background.
 *
 * <p>Everything that must hold on several nodes is decided in the database: code requests are
 * limited per address (5 per 15 minutes) and per client address (30 per 10 minutes) with a {@link
 * SharedRateLimiter}; each attempt is counted by one conditional UPDATE that fails once 5 are
 * spent, and the code is consumed by one conditional UPDATE that only one request can win.
 */
public final class SignIn {

  /** A started verification. */
  public record Started(String verificationId, Instant expiresAt) {}

  /** A successful sign-in. */
  public record Verified(String userId, String token, Instant expiresAt) {}

  public static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
  public static final int MAX_ATTEMPTS = 5;

  /** Codes asked for one phone or email; the key is the address' blind index. */
  static final SharedRateLimiter.Limit PER_ADDRESS =
      new SharedRateLimiter.Limit("otp-address", 5, Duration.ofMinutes(15));

  /** Codes asked from one client address; the key is a blind index of the IP. */
  static final SharedRateLimiter.Limit PER_CLIENT =
      new SharedRateLimiter.Limit("otp-client", 30, Duration.ofMinutes(10));

  private final PersonalService people;
  private final UserTokens tokens;
  private final CodeDelivery delivery;
  private final SharedRateLimiter limits;
  private final Clock clock;

  public SignIn(PersonalService people, UserTokens tokens, CodeDelivery delivery, Clock clock) {
    this.people = Objects.requireNonNull(people, "people");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = new SharedRateLimiter(clock);
  }

  /**
   * Starts a verification of {@code to} over {@code channel}; {@code client} (the caller's IP) is
   * rate limited. 503 when the channel has no sender, decided before anything is stored.
   */
  public Started start(String channel, String to, String client) {
    String kind = kind(channel);
    delivery.requireChannel(channel);
    String address =
        "phone".equals(kind) ? Contact.requirePhone("to", to) : Contact.requireEmail("to", to);
    String bidx = people.blindIndex(kind, address);
    String clientKey = people.blindIndex("otp-client", client);
    long now = clock.millis();
    forgetExpired(now);
    Optional<String> subject = people.findByAddress(kind, address);
    String id = UUID.randomUUID().toString();
    String code = Secrets.digits(6);
    long expires = now + CODE_LIFETIME.toMillis();
    people
        .database()
        .useTransaction(
            h -> {
              // A refusal throws, so the transaction rolls back: a refused request takes no slot.
              limits
                  .tryAcquire(h, PER_CLIENT, clientKey)
                  .ifPresent(
                      wait -> {
                        throw CandorException.tooManyRequests(
                            "too many code requests from this client; retry in " + wait + " s");
                      });
              limits
                  .tryAcquire(h, PER_ADDRESS, bidx)
                  .ifPresent(
                      wait -> {
                        throw CandorException.tooManyRequests(
                            "too many codes requested for this address; retry in " + wait + " s");
                      });
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
                  .execute();
            });
    // Only registered addresses receive a code; the answer and its timing are the same either way.
    subject.ifPresent(s -> delivery.send(s, channel, address, code));
    return new Started(id, Instant.ofEpochMilli(expires));
  }

  /**
   * Verifications for addresses that belong to nobody hold a keyed hash of a stranger's phone or
   * email; they are useless once expired, so they are deleted then. So are spent request limits.
   */
  private void forgetExpired(long now) {
    people
        .database()
        .useTransaction(
            h -> {
              h.createUpdate(
                      "DELETE FROM otp_verifications WHERE subject_id IS NULL AND expires_at < :now")
                  .bind("now", now)
                  .execute();
              limits.forgetExpired(h);
            });
  }

  /**
   * Checks {@code code}; on success marks the address verified and issues a token. The attempt is
   * counted first, by an UPDATE that only succeeds while attempts remain and the code is unused and
   * unexpired (on PostgreSQL it also locks the row until the transaction ends); the code is then
   * consumed by an UPDATE that only the first right answer wins, before any token is issued.
   */
  public Verified verify(String verificationId, String code) {
    delivery.requireAny();
    Validation v = new Validation();
    if (!isIssuedId(verificationId)) {
      v.add("verificationId", "must be the verificationId returned when the code was sent");
    }
    if (!code.matches("\\d{6}")) {
      v.add("code", "must be the 6 digits that were sent");
    }
    v.throwIfInvalid();
    long now = clock.millis();
    // A wrong code returns empty rather than throwing, so that its attempt commits.
    Optional<Verified> outcome =
        people
            .database()
            .inTransaction(
                h -> {
                  int counted =
                      h.createUpdate(
                              "UPDATE otp_verifications SET attempts = attempts + 1"
                                  + " WHERE id = :id AND attempts < :max AND consumed_at IS NULL"
                                  + " AND expires_at > :now")
                          .bind("id", verificationId)
                          .bind("max", MAX_ATTEMPTS)
                          .bind("now", now)
                          .execute();
                  if (counted == 0) {
                    throw refusal(h, verificationId);
                  }
                  Attempt a =
                      h.createQuery(
                              "SELECT channel, target_bidx, subject_id, code_hash"
                                  + " FROM otp_verifications WHERE id = :id")
                          .bind("id", verificationId)
                          .map(
                              (rs, ctx) ->
                                  new Attempt(
                                      rs.getString(1),
                                      rs.getString(2),
                                      Optional.ofNullable(rs.getString(3)),
                                      rs.getString(4)))
                          .one();
                  boolean matches =
                      Secrets.constantTimeEquals(a.codeHash(), codeHash(verificationId, code));
                  if (!matches
                      || a.subjectId().isEmpty()
                      || !people.repository().exists(h, a.subjectId().get())) {
                    return Optional.<Verified>empty();
                  }
                  int consumed =
                      h.createUpdate(
                              "UPDATE otp_verifications SET consumed_at = :now"
                                  + " WHERE id = :id AND consumed_at IS NULL")
                          .bind("now", now)
                          .bind("id", verificationId)
                          .execute();
                  if (consumed != 1) {
                    return Optional.<Verified>empty();
                  }
                  String subject = a.subjectId().get();
                  people.markVerified(h, subject, kind(a.channel()), a.targetBidx());
                  UserTokens.Issued issued = tokens.issue(h, subject);
                  return Optional.of(new Verified(subject, issued.token(), issued.expiresAt()));
                });
    return outcome.orElseThrow(SignIn::rejected);
  }

  /** Why an attempt could not be counted: 429 once the attempts are spent, else 401. */
  private static CandorException refusal(Handle h, String verificationId) {
    int attempts =
        h.createQuery("SELECT attempts FROM otp_verifications WHERE id = :id")
            .bind("id", verificationId)
            .mapTo(Integer.class)
            .findOne()
            .orElse(0);
    if (attempts >= MAX_ATTEMPTS) {
      return CandorException.tooManyRequests("too many attempts for this code; request a new one");
    }
    return rejected();
  }

  /**
   * Deletes the person's verifications inside the caller's transaction: theirs, and those asked for
   * their current phone or email before it was registered (they hold its blind index), and the
   * request limits kept for those addresses. Call it before the person's row is deleted.
   */
  static int erase(Handle h, String subjectId) {
    for (String bidx :
        h.createQuery(
                "SELECT phone_bidx FROM people WHERE subject_id = :s AND phone_bidx IS NOT NULL"
                    + " UNION SELECT email_bidx FROM people WHERE subject_id = :s"
                    + " AND email_bidx IS NOT NULL")
            .bind("s", subjectId)
            .mapTo(String.class)
            .list()) {
      SharedRateLimiter.forget(h, PER_ADDRESS.scope(), bidx);
    }
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
      String channel, String targetBidx, Optional<String> subjectId, String codeHash) {}
}
