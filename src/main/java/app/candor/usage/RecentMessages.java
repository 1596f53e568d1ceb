package app.candor.usage;

import com.carrotsearch.hppc.LongArrayDeque;
import com.carrotsearch.hppc.LongHashSet;
import org.jdbi.v3.core.Handle;

/**
 * The (person, messageId) pairs that arrived within the dedupe window, so that a retry is
 * recognised without a unique index on the event log (whose random inserts cost a page write per
 * event). A primitive set of 64-bit fingerprints, so that telling a new event from a retry and
 * remembering it is a single probe (the set is large, and each probe a cache miss); beside it the
 * same fingerprints in arrival order, in chunks, with the second each run of them arrived in, so
 * that the oldest go first: by time once they leave the window, and at once when the window holds
 * {@code maxIds}.
 *
 * <p>Memory is bounded by {@code maxIds}: 8 bytes per id in the chunks, plus the set's table, a
 * power of two of 8-byte slots filled to at most 3/4 (so 10.7 to 21.3 bytes per id, by where {@code
 * maxIds} falls between two powers of two), plus 16 bytes per second of arrivals remembered (at
 * most about 11 MB for 8 days); measured in the README. Past the bound, retries are recognised only
 * for ids that arrived since {@link #rememberedSince}, which the usage service publishes as a
 * metric.
 *
 * <p>Two different pairs share a fingerprint with probability 2^-64 per pair: with a hundred
 * million ids in the window, the chance that any new event is mistaken for a retry is about 5 *
 * 10^-12. Written by the usage writer thread only; {@link #rememberedSince} may be read by any.
 */
final class RecentMessages {
  private static final long DAY = 86_400_000L;
  private static final int MAX_CHUNK = 1 << 16;

  private final long windowDays;
  private final int maxIds;
  private final LongHashSet keys = new LongHashSet();

  /**
   * The fingerprints in arrival order, positions oldest..next-1, in chunks of {@code chunk} (a
   * power of two) that are added and dropped whole: growing copies nothing, so memory never peaks
   * above what the bound needs. The first chunk holds the oldest, the last the newest.
   */
  private final java.util.ArrayDeque<long[]> chunks = new java.util.ArrayDeque<>();

  private final int chunk;

  /** A chunk dropped at the old end, kept for the next one the new end needs. */
  private long @org.jspecify.annotations.Nullable [] spare;

  private long oldest;
  private long next;

  /**
   * Runs of positions that arrived in the same second (by the writer's clock, never going back):
   * each finished run's end (exclusive) and its second; the run under way starts at the last end.
   */
  private final LongArrayDeque runEnds = new LongArrayDeque();

  private final LongArrayDeque runSeconds = new LongArrayDeque();
  private long currentSecond = Long.MIN_VALUE;

  /** Arrivals at or after this moment are all remembered, whatever the window (the bound). */
  private long keptSince = Long.MIN_VALUE;

  private volatile long publishedKeptSince = Long.MIN_VALUE;

  /**
   * @param windowDays how many whole UTC days of arrivals are remembered, besides today's
   * @param maxIds the most fingerprints remembered at once; past it, the oldest go first
   */
  RecentMessages(int windowDays, int maxIds) {
    if (maxIds < 1) {
      throw new IllegalArgumentException("maxIds must be at least 1");
    }
    this.windowDays = windowDays;
    this.maxIds = maxIds;
    this.chunk = Math.min(MAX_CHUNK, Integer.highestOneBit(Math.max(1, maxIds - 1)) << 1);
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
   * remembered already, i.e. a retry. At the bound the oldest pair is forgotten first, so the set
   * never holds more than {@code maxIds} (nor grows its table past what they need).
   */
  boolean add(long key, long receivedAt) {
    if (next - oldest < maxIds) {
      if (!keys.add(key)) {
        return false;
      }
    } else {
      long victim = oldestKey();
      if (victim == key) {
        return false;
      }
      keys.remove(victim);
      if (!keys.add(key)) {
        keys.add(victim);
        return false;
      }
      forgetOldest(true);
    }
    append(key, receivedAt);
    return true;
  }

  private void append(long key, long receivedAt) {
    long second = Math.floorDiv(receivedAt, 1000L);
    if (second > currentSecond) {
      if (next > runStart()) {
        runEnds.addLast(next);
        runSeconds.addLast(currentSecond);
      }
      currentSecond = second;
    }
    int offset = offset(next);
    if (offset == 0) {
      long[] fresh = spare != null ? spare : new long[chunk];
      spare = null;
      chunks.addLast(fresh);
    }
    chunks.getLast()[offset] = key;
    next++;
  }

  private int offset(long position) {
    return (int) (position & (chunk - 1));
  }

  /** Where the run under way starts. */
  private long runStart() {
    return runEnds.isEmpty() ? oldest : runEnds.getLast();
  }

  /** The oldest fingerprint. */
  private long oldestKey() {
    return chunks.getFirst()[offset(oldest)];
  }

  /** The second the oldest remembered pair arrived in. */
  private long oldestSecond() {
    while (!runEnds.isEmpty() && runEnds.getFirst() <= oldest) {
      runEnds.removeFirst();
      runSeconds.removeFirst();
    }
    return runEnds.isEmpty() ? currentSecond : runSeconds.getFirst();
  }

  /** Drops the oldest position; {@code bound}: pushed out by the bound, not by time. */
  private void forgetOldest(boolean bound) {
    if (bound) {
      long since = (oldestSecond() + 1) * 1000L;
      if (since > keptSince) {
        keptSince = since;
        publishedKeptSince = since;
      }
    }
    oldest++;
    if (offset(oldest) == 0 || oldest == next) {
      spare = chunks.removeFirst();
      if (oldest == next && offset(next) != 0) {
        // The new end adds a chunk only at a chunk's start: number positions afresh.
        oldest = 0;
        next = 0;
        runEnds.clear();
        runSeconds.clear();
      }
    }
  }

  /**
   * Forgets the last {@code n} pairs added (their write was rolled back), or as many as are still
   * remembered: the bound may have pushed some out already, along with older ones, which stay
   * forgotten.
   */
  void forgetLast(int n) {
    for (int i = 0; i < n && next > oldest; i++) {
      next--;
      keys.remove(chunks.getLast()[offset(next)]);
      if (offset(next) == 0) {
        spare = chunks.removeLast();
      }
    }
    while (!runEnds.isEmpty() && runEnds.getLast() >= next) {
      runEnds.removeLast();
      currentSecond = runSeconds.removeLast();
    }
    if (next == oldest) {
      empty();
    }
  }

  /** Forgets the pairs that left the window by {@code now}, all at once. */
  void expire(long now) {
    expire(now, Integer.MAX_VALUE);
  }

  /**
   * Forgets the pairs that left the window by {@code now}, oldest first, at most {@code budget} in
   * this call: a day's worth can be millions, and the writer thread should not stop for them. Until
   * removed, they still count as recent: retries are recognised a little longer than the window,
   * never shorter.
   */
  void expire(long now, int budget) {
    long start = windowStart(now);
    for (int left = budget; left > 0 && next > oldest; left--) {
      if (oldestSecond() * 1000L >= start) {
        return;
      }
      keys.remove(oldestKey());
      forgetOldest(false);
    }
  }

  /**
   * Where the window starts in the event log, for rebuilding it at start: the first position
   * received since {@link #windowStart} (the log is in arrival order, so a binary search), and not
   * before the last {@code maxIds} positions below {@code nextSeq}, so that a start reads no more
   * than the window can hold.
   */
  long firstPosition(Handle h, long now, long nextSeq) {
    long since = windowStart(now);
    long lo =
        Math.max(
            nextSeq - maxIds,
            h.createQuery("SELECT COALESCE(MIN(seq), 1) FROM usage_events")
                .mapTo(Long.class)
                .one());
    long hi =
        h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM usage_events").mapTo(Long.class).one() + 1;
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      long[] row =
          h.createQuery(
                  "SELECT seq, received_at FROM usage_events WHERE seq >= :m ORDER BY seq LIMIT 1")
              .bind("m", mid)
              .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
              .findOne()
              .orElse(null);
      if (row == null || row[1] >= since) {
        hi = mid;
      } else {
        lo = row[0] + 1;
      }
    }
    return lo;
  }

  /** The first moment whose arrivals are remembered at {@code now} by the window's length. */
  long windowStart(long now) {
    return (Math.floorDiv(now, DAY) - windowDays) * DAY;
  }

  /**
   * The first moment whose arrivals are all remembered at {@code now}: the window's start, or later
   * once the bound has pushed out ids that were still in it. Any thread.
   */
  long rememberedSince(long now) {
    return Math.max(windowStart(now), publishedKeptSince);
  }

  int size() {
    return keys.size();
  }

  int maxIds() {
    return maxIds;
  }

  /** The heap its arrays hold (not the few objects around them), for tests and the README. */
  long bytesAllocated() {
    return keys.ramBytesAllocated()
        + (chunks.size() + (spare == null ? 0 : 1)) * (16 + 8L * chunk)
        + runEnds.ramBytesAllocated()
        + runSeconds.ramBytesAllocated();
  }

  /** Forgets everything, what the bound pushed out included (the writer reloads the window). */
  void clear() {
    empty();
    keptSince = Long.MIN_VALUE;
    publishedKeptSince = Long.MIN_VALUE;
  }

  private void empty() {
    keys.clear();
    if (!chunks.isEmpty()) {
      spare = chunks.getFirst();
    }
    chunks.clear();
    runEnds.clear();
    runSeconds.clear();
    oldest = 0;
    next = 0;
    currentSecond = Long.MIN_VALUE;
  }
}
