package app.candor.usage;

import com.carrotsearch.hppc.LongArrayList;
import com.carrotsearch.hppc.LongHashSet;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The (person, messageId) pairs that arrived within the dedupe window, so that a retry is
 * recognised without a unique index on the event log (whose random inserts cost a page write per
 * event). One primitive set of 64-bit fingerprints for the whole window, so that telling a new
 * event from a retry and remembering it is a single probe (the set is large, and each probe a cache
 * miss); beside it, per UTC day of arrival, the list of that day's fingerprints, so that expiry
 * removes whole days. About 24 bytes per remembered event.
 *
 * <p>Two different pairs share a fingerprint with probability 2^-64 per pair: with ten million
 * events in the window, the chance that any new event is mistaken for a retry is about 5 * 10^-13.
 * Written and read by the usage writer thread only.
 */
final class RecentMessages {
  private static final long DAY = 86_400_000L;

  private record Day(long day, LongArrayList keys) {}

  private final long windowDays;
  private final LongHashSet keys = new LongHashSet();
  private final ArrayDeque<Day> days = new ArrayDeque<>();

  /** Days out of the window whose fingerprints are still being removed, a budget at a time. */
  private final ArrayDeque<Day> leaving = new ArrayDeque<>();

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
    return keys.contains(key);
  }

  /**
   * Remembers a pair that arrived at {@code receivedAt}; false (and nothing changes) when it is
   * remembered already, i.e. a retry.
   */
  boolean add(long key, long receivedAt) {
    if (!keys.add(key)) {
      return false;
    }
    day(receivedAt).keys().add(key);
    return true;
  }

  /** Forgets the last {@code n} pairs added at {@code receivedAt} (their write was rolled back). */
  void forgetLast(long receivedAt, int n) {
    LongArrayList list = day(receivedAt).keys();
    for (int i = 0; i < n; i++) {
      keys.remove(list.removeLast());
    }
  }

  private Day day(long receivedAt) {
    long day = Math.floorDiv(receivedAt, DAY);
    Day last = days.peekLast();
    if (last == null || last.day() < day) {
      last = new Day(day, new LongArrayList());
      days.addLast(last);
    } else if (last.day() > day) {
      // The clock went back (or a replay of older rows): file it under the nearest day kept.
      for (Iterator<Day> it = days.descendingIterator(); it.hasNext(); ) {
        Day d = it.next();
        if (d.day() <= day) {
          return d;
        }
      }
      return days.peekFirst();
    }
    return last;
  }

  /** Forgets the days that left the window by {@code now}, all at once. */
  void expire(long now) {
    expire(now, Integer.MAX_VALUE);
  }

  /**
   * Forgets the days that left the window by {@code now}, removing at most {@code budget}
   * fingerprints in this call: a day's worth can be millions, and the writer thread should not stop
   * for them. Until removed, they still count as recent: retries are recognised a little longer
   * than the window, never shorter.
   */
  void expire(long now, int budget) {
    long oldest = Math.floorDiv(now, DAY) - windowDays;
    while (!days.isEmpty() && days.peekFirst().day() < oldest) {
      leaving.addLast(days.removeFirst());
    }
    int left = budget;
    while (!leaving.isEmpty() && left > 0) {
      LongArrayList list = leaving.peekFirst().keys();
      while (!list.isEmpty() && left > 0) {
        keys.remove(list.removeLast());
        left--;
      }
      if (list.isEmpty()) {
        leaving.removeFirst();
      }
    }
  }

  /** The first moment whose arrivals are still remembered at {@code now}. */
  long windowStart(long now) {
    return (Math.floorDiv(now, DAY) - windowDays) * DAY;
  }

  int size() {
    return keys.size();
  }

  void clear() {
    keys.clear();
    days.clear();
    leaving.clear();
  }
}
