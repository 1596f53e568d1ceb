package app.candor.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A sliding-window limit per key (an address hash, a client): at most {@code limit} events per
 * {@code window}. Memory is bounded: the least recently seen keys are forgotten first.
 */
public final class RateLimiter {
  private static final int MAX_KEYS = 100_000;
  private final int limit;
  private final long windowMillis;
  private final Clock clock;
  private final Map<String, Deque<Long>> events =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
          return size() > MAX_KEYS;
        }
      };

  public RateLimiter(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Records an event for {@code key}; false when the key is over its limit (nothing recorded). */
  public synchronized boolean tryAcquire(String key) {
    long now = clock.millis();
    Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
    while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
      times.pollFirst();
    }
    if (times.size() >= limit) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  /** Seconds until {@code key} may act again (at least 1). */
  public synchronized long retryAfterSeconds(String key) {
    Deque<Long> times = events.get(key);
    if (times == null || times.isEmpty()) {
      return 1;
    }
    long wait = times.peekFirst() + windowMillis - clock.millis();
    return Math.max(1, (wait + 999) / 1000);
  }
}
