package app.candor.usage;

import com.carrotsearch.hppc.LongHashSet;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The (person, messageId) pairs that arrived within the dedupe window, so that a retry is
 * recognised without a unique index on the event log (whose random inserts cost a page write per
 * event). One primitive set of 64-bit fingerprints per UTC day of arrival: expiry drops whole days,
 * a lookup probes at most {@code days + 1} sets. About 16 bytes per remembered event.
 *
 * <p>Two different pairs share a fingerprint with probability 2^-64 per pair: with ten million
 * events in the window, the chance that any new event is mistaken for a retry is about 5 * 10^-13.
 * Written and read by the usage writer thread only.
 */
final class RecentMessages {
  private static final long DAY = 86_400_000L;

  private record Day(long day, LongHashSet keys) {}

  private final long windowDays;
  private final ArrayDeque<Day> days = new ArrayDeque<>();

  RecentMessages(int windowDays) {
    this.windowDays = windowDays;
  }

  /** The fingerprint of a person's messageId (FNV-1a over both, then MurmurHash3's finalizer). */
  static long key(String subjectId, String messageId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < subjectId.length(); i++) {
      h = (h ^ subjectId.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ 0x1F) * 0x100000001b3L;
    for (int i = 0; i < messageId.length(); i++) {
      h = (h ^ messageId.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  boolean contains(long key) {
    for (Day d : days) {
      if (d.keys().contains(key)) {
        return true;
      }
    }
    return false;
  }

  /** Remembers a pair that arrived at {@code receivedAt}. */
  void add(long key, long receivedAt) {
    long day = Math.floorDiv(receivedAt, DAY);
    Day last = days.peekLast();
    if (last == null || last.day() < day) {
      last = new Day(day, new LongHashSet());
      days.addLast(last);
    } else if (last.day() > day) {
      // The clock went back (or a replay of older rows): file it under the nearest day kept.
      for (Iterator<Day> it = days.descendingIterator(); it.hasNext(); ) {
        Day d = it.next();
        if (d.day() <= day) {
          last = d;
          break;
        }
      }
    }
    last.keys().add(key);
  }

  /** Forgets the days that left the window by {@code now}. */
  void expire(long now) {
    long oldest = Math.floorDiv(now, DAY) - windowDays;
    while (!days.isEmpty() && days.peekFirst().day() < oldest) {
      days.removeFirst();
    }
  }

  /** The first moment whose arrivals are still remembered at {@code now}. */
  long windowStart(long now) {
    return (Math.floorDiv(now, DAY) - windowDays) * DAY;
  }

  int size() {
    int n = 0;
    for (Day d : days) {
      n += d.keys().size();
    }
    return n;
  }

  void clear() {
    days.clear();
  }
}
