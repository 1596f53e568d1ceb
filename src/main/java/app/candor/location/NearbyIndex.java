package app.candor.location;

import com.carrotsearch.hppc.IntArrayList;
import com.carrotsearch.hppc.IntObjectHashMap;
import com.carrotsearch.hppc.ObjectIntHashMap;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.StampedLock;
import org.jspecify.annotations.Nullable;

/**
 * Who is where, in memory, for people nearby: each person's last accepted position and grid cell,
 * and per cell the people visible in it. Derived state, rebuilt from the database at start.
 *
 * <p>A person is listed in their cell's bucket only while they are visible (hold {@code
 * nearby_discovery}) and their last update was plausible. A query walks the cells around the
 * viewer's cell band by band (bands of the distance between cell centres) and, inside a band,
 * orders people by a hash keyed per viewer: a stable shuffle that is the same for the same viewer
 * and says nothing about where anyone is in the band. It stops once {@code limit} people are found,
 * so a crowded city centre costs no more than its first band.
 *
 * <p>Locks: 64 stripes chosen by the person's id, and one lock for the buckets, always taken after
 * a stripe. An update within its cell (the common case) takes its stripe shared and no bucket lock;
 * a move between cells, or a change of visibility or flag, takes its stripe shared and the bucket
 * lock alone; a new person (the slot table and arrays change) takes every stripe and the bucket
 * lock alone. A query takes one stripe and the bucket lock shared.
 *
 * <p>The partitioning seam for many nodes is the cell: buckets are keyed by cell, and a query reads
 * the cells within its radius only, so a node can own a range of rows (with a margin of the largest
 * radius) and queries go to the node owning the viewer's row.
 */
final class NearbyIndex {

  /** What became of an update. */
  enum Update {
    /** Accepted: the person's current position. */
    CURRENT,
    /** Older than the current position: history only. */
    OLDER,
    /** Impossible travel from the last accepted position: kept out of people nearby. */
    FLAGGED
  }

  /** Why a query has no answer. */
  enum Refusal {
    NO_RECENT_POSITION,
    IMPLAUSIBLE_POSITION
  }

  /** A person found: who, and the band of the distance (0 = under 1 km). */
  record Hit(String subjectId, int band) {}

  /** The people found, or why there is no answer; and the cell the viewer asked from. */
  record Answer(List<Hit> hits, Optional<Refusal> refusal, int viewerCell) {}

  /**
   * Lock stripes, chosen by the person's id. An update within a cell, and a query, take their
   * stripe shared; a change of structure (buckets, slots, the arrays) takes every stripe alone. So
   * the common updates on two cores rarely touch the same lock word (one lock shared by all cost a
   * fifth of the throughput in cache-line traffic: 962,000 updates/s on one thread, 804,000 on
   * two).
   */
  private final StampedLock[] stripes = new StampedLock[STRIPES];

  private static final int STRIPES = 64;

  /**
   * The buckets: queries read them, moves between cells (and changes of visibility or flags) write
   * them. Always taken after a stripe.
   */
  private final StampedLock bucketLock = new StampedLock();

  private final Object[] spacers = new Object[STRIPES];
  private final ObjectIntHashMap<String> slots = new ObjectIntHashMap<>();
  private final IntObjectHashMap<Bucket> buckets = new IntObjectHashMap<>();
  private final long secret = new SecureRandom().nextLong();
  private final IntArrayList free = new IntArrayList();
  private int used;
  private String[] ids = new String[1024];
  private long[] keys = new long[1024];
  private int[] positions = new int[1024];

  /**
   * Per slot, {@value #STRIDE} longs side by side, so that an update touches one cache line:
   * latitude and longitude (raw double bits), time, and the cell with two flags above it.
   */
  private long[] state = new long[1024 * STRIDE];

  private static final int STRIDE = 4;
  private static final long VISIBLE = 1L << 32;
  private static final long FLAGGED = 1L << 33;
  private static final long NO_CELL = 0xFFFF_FFFFL;

  NearbyIndex() {
    // Spaced out in memory, so that no two stripes share a cache line (the spacers stay
    // reachable, so that a compacting collection keeps them in between).
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new StampedLock();
      spacers[i] = new long[16];
    }
  }

  private StampedLock stripe(String subjectId) {
    int h = subjectId.hashCode();
    return stripes[(h ^ h >>> 16) & (STRIPES - 1)];
  }

  /** Every stripe, then the bucket lock: for changes of the slot table and arrays. */
  private long[] lockAll() {
    long[] stamps = new long[STRIPES + 1];
    for (int i = 0; i < STRIPES; i++) {
      stamps[i] = stripes[i].writeLock();
    }
    stamps[STRIPES] = bucketLock.writeLock();
    return stamps;
  }

  private void unlockAll(long[] stamps) {
    bucketLock.unlockWrite(stamps[STRIPES]);
    for (int i = STRIPES - 1; i >= 0; i--) {
      stripes[i].unlockWrite(stamps[i]);
    }
  }

  private static final class Bucket {
    int[] slots = new int[4];
    int size;
  }

  /**
   * Takes a position update of a person who holds {@code location} consent; {@code visible} says
   * whether they hold {@code nearby_discovery}. Impossible travel from the last accepted position
   * flags the person (hidden from everyone, and refused as a viewer) until a plausible update.
   */
  Update update(String subjectId, double lat, double lon, long at, boolean visible) {
    return settle(subjectId, lat, lon, at, visible, null);
  }

  /**
   * What {@link #update} would decide for this update now, changing nothing: older than the current
   * position, impossible travel from it, or the new current position.
   */
  Update judge(String subjectId, double lat, double lon, long at) {
    StampedLock lock = stripe(subjectId);
    long stamp = lock.readLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      if (s < 0 || time(s) == 0) {
        return Update.CURRENT;
      }
      if (at < time(s)) {
        return Update.OLDER;
      }
      return Travel.impossible(lat(s), lon(s), time(s), lat, lon, at)
          ? Update.FLAGGED
          : Update.CURRENT;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * Applies an update judged and stored already: {@code flagged} as it was stored (the index does
   * not judge again, so it never disagrees with the database), and never over a newer position.
   */
  Update apply(
      String subjectId, double lat, double lon, long at, boolean visible, boolean flagged) {
    return settle(subjectId, lat, lon, at, visible, flagged);
  }

  /** An update; {@code flagged} null judges it here, otherwise it is the decision taken. */
  private Update settle(
      String subjectId,
      double lat,
      double lon,
      long at,
      boolean visible,
      @Nullable Boolean flagged) {
    if (!Boolean.TRUE.equals(flagged)) {
      Update quick = sameCell(subjectId, lat, lon, at, visible);
      if (quick != null) {
        return quick;
      }
    }
    StampedLock stripe = stripe(subjectId);
    long shared = stripe.readLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      if (s >= 0) {
        long stamp = bucketLock.writeLock();
        try {
          return move(s, lat, lon, at, visible, flagged);
        } finally {
          bucketLock.unlockWrite(stamp);
        }
      }
    } finally {
      stripe.unlockRead(shared);
    }
    if (Boolean.TRUE.equals(flagged)) {
      return Update.FLAGGED; // forgotten meanwhile: nothing to hide
    }
    long[] stamps = lockAll();
    try {
      return move(slot(subjectId), lat, lon, at, visible, flagged);
    } finally {
      unlockAll(stamps);
    }
  }

  /** An update that may change the person's bucket; under the bucket lock. */
  private Update move(
      int s, double lat, double lon, long at, boolean visible, @Nullable Boolean flagged) {
    if (time(s) != 0) {
      if (at < time(s)) {
        return Update.OLDER;
      }
      boolean flag =
          flagged != null ? flagged : Travel.impossible(lat(s), lon(s), time(s), lat, lon, at);
      if (flag) {
        detach(s);
        state[s * STRIDE + 3] |= FLAGGED;
        return Update.FLAGGED;
      }
    }
    int cell = Grid.cell(lat, lon);
    // Out of the old bucket when moving to another cell, and when no longer visible.
    if (cell != cell(s) || !visible) {
      detach(s);
    }
    place(s, lat, lon, at);
    state[s * STRIDE + 3] = (cell & NO_CELL) | (visible ? VISIBLE : 0);
    attachIfListed(s);
    return Update.CURRENT;
  }

  /**
   * The common case, under the shared lock: a known person moving within their cell changes their
   * own position and time only, no bucket. Null when the update needs the exclusive lock (a new
   * person, another cell, a flag, a change of visibility). Two updates of one person at once may
   * race here; the position service serializes a person's updates.
   */
  private @Nullable Update sameCell(
      String subjectId, double lat, double lon, long at, boolean visible) {
    StampedLock lock = stripe(subjectId);
    long stamp = lock.readLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      if (s < 0) {
        return null;
      }
      long flags = state[s * STRIDE + 3];
      if ((flags & FLAGGED) != 0
          || ((flags & VISIBLE) != 0) != visible
          || (int) flags != Grid.cell(lat, lon)) {
        return null;
      }
      if (at < time(s)) {
        return Update.OLDER;
      }
      // Within one cell (at most its diagonal, about 1.5 km) is within Travel.SLACK_KM: never
      // impossible.
      place(s, lat, lon, at);
      return Update.CURRENT;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private void place(int s, double lat, double lon, long at) {
    int base = s * STRIDE;
    state[base] = Double.doubleToRawLongBits(lat);
    state[base + 1] = Double.doubleToRawLongBits(lon);
    state[base + 2] = at;
  }

  private double lat(int s) {
    return Double.longBitsToDouble(state[s * STRIDE]);
  }

  private double lon(int s) {
    return Double.longBitsToDouble(state[s * STRIDE + 1]);
  }

  private long time(int s) {
    return state[s * STRIDE + 2];
  }

  /** The slot's cell, or -1 when it has none. */
  private int cell(int s) {
    return (int) state[s * STRIDE + 3];
  }

  /** Whether the person may be shown to people nearby (their {@code nearby_discovery}). */
  void visible(String subjectId, boolean visible) {
    StampedLock stripe = stripe(subjectId);
    long shared = stripe.readLock();
    long stamp = bucketLock.writeLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      if (s < 0) {
        return;
      }
      if (visible) {
        state[s * STRIDE + 3] |= VISIBLE;
        attachIfListed(s);
      } else {
        state[s * STRIDE + 3] &= ~VISIBLE;
        detach(s);
      }
    } finally {
      bucketLock.unlockWrite(stamp);
      stripe.unlockRead(shared);
    }
  }

  /** Forgets the person entirely (withdrawal of {@code location}, erasure). */
  void remove(String subjectId) {
    long[] stamps = lockAll();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      if (s < 0) {
        return;
      }
      slots.remove(subjectId);
      detach(s);
      ids[s] = null;
      state[s * STRIDE + 2] = 0;
      state[s * STRIDE + 3] = NO_CELL;
      free.add(s);
    } finally {
      unlockAll(stamps);
    }
  }

  /** People with a position. */
  int size() {
    StampedLock lock = stripes[0];
    long stamp = lock.readLock();
    try {
      return slots.size();
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The time of the person's current position; 0 when they have none. */
  long timeOf(String subjectId) {
    StampedLock lock = stripe(subjectId);
    long stamp = lock.readLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      return s < 0 ? 0 : time(s);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** The cell of the person's current position, if they have one. */
  Optional<Integer> cellOf(String subjectId) {
    StampedLock lock = stripe(subjectId);
    long stamp = lock.readLock();
    try {
      int s = slots.getOrDefault(subjectId, -1);
      return s < 0 || cell(s) < 0 ? Optional.empty() : Optional.of(cell(s));
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /**
   * The people nearby {@code viewerId}: visible, with a position no older than {@code since}, whose
   * cell centre is within {@code radiusKm} of the viewer's; at most {@code limit}, by band, in the
   * viewer's stable shuffle within a band. The viewer needs a recent, plausible position.
   */
  Answer nearby(String viewerId, double radiusKm, int limit, long since) {
    StampedLock lock = stripe(viewerId);
    long stamp = lock.readLock();
    long reading = bucketLock.readLock();
    try {
      int viewer = slots.getOrDefault(viewerId, -1);
      if (viewer < 0 || cell(viewer) < 0 || time(viewer) < since) {
        return new Answer(List.of(), Optional.of(Refusal.NO_RECENT_POSITION), -1);
      }
      if ((state[viewer * STRIDE + 3] & FLAGGED) != 0) {
        return new Answer(List.of(), Optional.of(Refusal.IMPLAUSIBLE_POSITION), cell(viewer));
      }
      IntArrayList[] byBand = new IntArrayList[Grid.bands()];
      Grid.cellsWithin(
          cell(viewer),
          radiusKm,
          (cell, band) -> {
            if (buckets.containsKey(cell)) {
              if (byBand[band] == null) {
                byBand[band] = new IntArrayList();
              }
              byBand[band].add(cell);
            }
          });
      long seed = mix(secret ^ keys[viewer]);
      List<Hit> hits = new ArrayList<>(Math.min(limit, 64));
      TopK top = new TopK(limit);
      for (int band = 0; band < byBand.length && hits.size() < limit; band++) {
        if (byBand[band] == null) {
          continue;
        }
        top.reset(limit - hits.size());
        for (int i = 0; i < byBand[band].size(); i++) {
          Bucket b = buckets.get(byBand[band].get(i));
          for (int k = 0; k < b.size; k++) {
            int s = b.slots[k];
            if (s != viewer && time(s) >= since) {
              top.offer(mix(seed ^ keys[s]), s);
            }
          }
        }
        for (int s : top.sorted()) {
          hits.add(new Hit(ids[s], band));
        }
      }
      return new Answer(hits, Optional.empty(), cell(viewer));
    } finally {
      bucketLock.unlockRead(reading);
      lock.unlockRead(stamp);
    }
  }

  /**
   * Those of {@code friendIds} near {@code viewerId}, whatever their visibility here (friends
   * nearby shows people visible to friends only, who are in no bucket; the caller checks their
   * consent): with a recent plausible position, whose cell centre is within {@code radiusKm} of the
   * viewer's; at most {@code limit}, by band, in the viewer's stable shuffle within a band. Reads
   * each friend's slot, so it costs the number of friends, not the crowd around the viewer.
   */
  Answer friends(
      String viewerId, Collection<String> friendIds, double radiusKm, int limit, long since) {
    StampedLock lock = stripe(viewerId);
    long stamp = lock.readLock();
    long reading = bucketLock.readLock();
    try {
      int viewer = slots.getOrDefault(viewerId, -1);
      if (viewer < 0 || cell(viewer) < 0 || time(viewer) < since) {
        return new Answer(List.of(), Optional.of(Refusal.NO_RECENT_POSITION), -1);
      }
      if ((state[viewer * STRIDE + 3] & FLAGGED) != 0) {
        return new Answer(List.of(), Optional.of(Refusal.IMPLAUSIBLE_POSITION), cell(viewer));
      }
      long radiusM = Math.round(radiusKm * 1000);
      long seed = mix(secret ^ keys[viewer]);
      List<long[]> found = new ArrayList<>();
      for (String id : friendIds) {
        int s = slots.getOrDefault(id, -1);
        if (s < 0 || s == viewer || cell(s) < 0 || time(s) < since) {
          continue;
        }
        if ((state[s * STRIDE + 3] & FLAGGED) != 0) {
          continue;
        }
        long d = Grid.centreDistanceM(cell(viewer), cell(s));
        if (d <= radiusM) {
          found.add(new long[] {Grid.band(d), mix(seed ^ keys[s]), s});
        }
      }
      found.sort(
          (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compareUnsigned(a[1], b[1]));
      List<Hit> hits = new ArrayList<>(Math.min(limit, found.size()));
      for (long[] f : found.subList(0, Math.min(limit, found.size()))) {
        hits.add(new Hit(ids[(int) f[2]], (int) f[0]));
      }
      return new Answer(hits, Optional.empty(), cell(viewer));
    } finally {
      bucketLock.unlockRead(reading);
      lock.unlockRead(stamp);
    }
  }

  private int slot(String subjectId) {
    int existing = slots.getOrDefault(subjectId, -1);
    if (existing >= 0) {
      return existing;
    }
    int n;
    if (!free.isEmpty()) {
      n = free.removeAt(free.size() - 1);
    } else {
      if (used == ids.length) {
        grow();
      }
      n = used++;
    }
    ids[n] = subjectId;
    keys[n] = mix(subjectId.hashCode() * 0x9E3779B97F4A7C15L ^ subjectId.length());
    state[n * STRIDE + 2] = 0;
    state[n * STRIDE + 3] = NO_CELL;
    positions[n] = -1;
    slots.put(subjectId, n);
    return n;
  }

  private void grow() {
    int n = ids.length * 2;
    ids = Arrays.copyOf(ids, n);
    keys = Arrays.copyOf(keys, n);
    positions = Arrays.copyOf(positions, n);
    state = Arrays.copyOf(state, n * STRIDE);
  }

  private void attachIfListed(int s) {
    long flags = state[s * STRIDE + 3];
    if (positions[s] >= 0 || (flags & VISIBLE) == 0 || (flags & FLAGGED) != 0 || cell(s) < 0) {
      return;
    }
    Bucket b = buckets.get(cell(s));
    if (b == null) {
      b = new Bucket();
      buckets.put(cell(s), b);
    }
    if (b.size == b.slots.length) {
      b.slots = Arrays.copyOf(b.slots, b.size * 2);
    }
    positions[s] = b.size;
    b.slots[b.size++] = s;
  }

  /** Takes the person out of their cell's bucket (they keep their slot and position). */
  private void detach(int s) {
    int p = positions[s];
    if (p < 0) {
      return;
    }
    Bucket b = buckets.get(cell(s));
    int last = b.slots[--b.size];
    b.slots[p] = last;
    positions[last] = p;
    positions[s] = -1;
    if (b.size == 0) {
      buckets.remove(cell(s));
    }
  }

  /** SplitMix64's finalizer: a good 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
