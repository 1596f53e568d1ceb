package app.candor.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;

/**
 * Request limits kept in the database, so they hold across restarts and across every node on one
 * database: at most {@link Limit#max} actions per key in any {@link Limit#window}.
 *
 * <p>Each key has {@code max} numbered slots (rows of {@code rate_limit_slots}). An action takes a
 * slot that is missing or whose last use has expired, by one conditional upsert: the row is written
 * only if it is still free when the statement runs (PostgreSQL re-checks the condition on the
 * newest row version after waiting for a concurrent writer; SQLite runs writers one at a time), so
 * two nodes never take the same slot and no window of {@code window} ever holds more than {@code
 * max} actions. Keys must be keyed hashes (blind indexes), never an address or an IP in the clear.
 * Expired rows are deleted as actions come in.
 */
public final class SharedRateLimiter {

  /**
   * One kind of limit.
   *
   * @param scope the name of the limit, stored with each slot
   * @param max the most actions per window
   * @param window the length of the sliding window
   */
  public record Limit(String scope, int max, Duration window) {
    public Limit {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(window, "window");
      if (max < 1 || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("a limit needs max >= 1 and a positive window");
      }
    }
  }

  private final Clock clock;

  public SharedRateLimiter(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Takes a slot of {@code key} inside the caller's transaction; empty when the key is at its limit
   * (nothing written), else the slot taken. Roll the transaction back to give the slot back.
   *
   * @return empty if allowed; else the seconds until a slot frees up (at least 1)
   */
  public OptionalLong tryAcquire(Handle h, Limit limit, String key) {
    long now = clock.millis();
    long expires = now + limit.window().toMillis();
    // Each failed claim means another transaction took that slot, so this ends within max rounds.
    for (int round = 0; round <= limit.max(); round++) {
      Map<Integer, Long> taken = slots(h, limit, key);
      int free = -1;
      long soonest = Long.MAX_VALUE;
      for (int slot = 0; slot < limit.max(); slot++) {
        Long until = taken.get(slot);
        if (until == null || until <= now) {
          free = slot;
          break;
        }
        soonest = Math.min(soonest, until);
      }
      if (free < 0) {
        return OptionalLong.of(Math.max(1, (soonest - now + 999) / 1000));
      }
      int claimed =
          h.createUpdate(
                  "INSERT INTO rate_limit_slots (scope, key_hash, slot, expires_at)"
                      + " VALUES (:scope, :key, :slot, :expires)"
                      + " ON CONFLICT (scope, key_hash, slot) DO UPDATE"
                      + " SET expires_at = excluded.expires_at"
                      + " WHERE rate_limit_slots.expires_at <= :now")
              .bind("scope", limit.scope())
              .bind("key", key)
              .bind("slot", free)
              .bind("expires", expires)
              .bind("now", now)
              .execute();
      if (claimed == 1) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(1);
  }

  /** Deletes slots whose window has passed (they limit nothing any more). */
  public int forgetExpired(Handle h) {
    return h.createUpdate("DELETE FROM rate_limit_slots WHERE expires_at <= :now")
        .bind("now", clock.millis())
        .execute();
  }

  /** Deletes every slot of {@code key} in {@code scope} (erasure of the person it belongs to). */
  public static int forget(Handle h, String scope, String key) {
    return h.createUpdate("DELETE FROM rate_limit_slots WHERE scope = :scope AND key_hash = :key")
        .bind("scope", scope)
        .bind("key", key)
        .execute();
  }

  private static Map<Integer, Long> slots(Handle h, Limit limit, String key) {
    Map<Integer, Long> out = new HashMap<>();
    h.createQuery(
            "SELECT slot, expires_at FROM rate_limit_slots WHERE scope = :scope AND key_hash = :key")
        .bind("scope", limit.scope())
        .bind("key", key)
        .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getLong(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
