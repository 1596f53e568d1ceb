package app.candor.location;

import com.carrotsearch.hppc.IntArrayList;
import com.carrotsearch.hppc.IntObjectHashMap;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 * <p>One read-write lock: queries share it, updates take it alone. An update that stays in its cell
 * changes no bucket.
 *
 * <p>The partitioning seam for many nodes is the cell: buckets are keyed by cell, and a query reads
 * the cells within its radius only, so a node can own a range of rows (with a margin of the largest
 * radius) and queries go to the node owning the viewer's row.
 */
final class NearbyIndex {

  /** Faster than an airliner (about 900 km/h cruising) is not travel. */
  static final double MAX_KMH = 1_000;

  /** Jumps up to this far are never flagged: GPS noise, and positions rebuilt as cell centres. */
  static final double SLACK_KM = 2.5;

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

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> slots = new HashMap<>();
  private final IntObjectHashMap<Bucket> buckets = new IntObjectHashMap<>();
  private final long secret = new SecureRandom().nextLong();
  private final IntArrayList free = new IntArrayList();
  private int used;
  private String[] ids = new String[1024];
  private long[] keys = new long[1024];
  private int[] cells = new int[1024];
  private double[] lats = new double[1024];
  private double[] lons = new double[1024];
  private long[] times = new long[1024];
  private boolean[] visible = new boolean[1024];
  private boolean[] flagged = new boolean[1024];
  private int[] positions = new int[1024];

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
    lock.writeLock().lock();
    try {
      int s = slot(subjectId);
      if (times[s] != 0) {
        if (at < times[s]) {
          return Update.OLDER;
        }
        double km = Grid.distanceKm(lats[s], lons[s], lat, lon);
        double hours = (at - times[s]) / 3_600_000.0;
        if (km > SLACK_KM && km > MAX_KMH * hours) {
          flagged[s] = true;
          detach(s);
          return Update.FLAGGED;
        }
      }
      flagged[s] = false;
      lats[s] = lat;
      lons[s] = lon;
      times[s] = at;
      this.visible[s] = visible;
      int cell = Grid.cell(lat, lon);
      if (cell != cells[s] || positions[s] < 0) {
        detach(s);
        cells[s] = cell;
      }
      attachIfListed(s);
      return Update.CURRENT;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether the person may be shown to people nearby (their {@code nearby_discovery}). */
  void visible(String subjectId, boolean visible) {
    lock.writeLock().lock();
    try {
      Integer s = slots.get(subjectId);
      if (s == null) {
        return;
      }
      this.visible[s] = visible;
      if (visible) {
        attachIfListed(s);
      } else {
        detach(s);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Forgets the person entirely (withdrawal of {@code location}, erasure). */
  void remove(String subjectId) {
    lock.writeLock().lock();
    try {
      Integer s = slots.remove(subjectId);
      if (s == null) {
        return;
      }
      detach(s);
      ids[s] = null;
      times[s] = 0;
      cells[s] = -1;
      free.add(s);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** People with a position. */
  int size() {
    lock.readLock().lock();
    try {
      return slots.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The cell of the person's current position, if they have one. */
  Optional<Integer> cellOf(String subjectId) {
    lock.readLock().lock();
    try {
      Integer s = slots.get(subjectId);
      return s == null || cells[s] < 0 ? Optional.empty() : Optional.of(cells[s]);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The people nearby {@code viewerId}: visible, with a position no older than {@code since}, whose
   * cell centre is within {@code radiusKm} of the viewer's; at most {@code limit}, by band, in the
   * viewer's stable shuffle within a band. The viewer needs a recent, plausible position.
   */
  Answer nearby(String viewerId, double radiusKm, int limit, long since) {
    lock.readLock().lock();
    try {
      Integer v = slots.get(viewerId);
      if (v == null || cells[v] < 0 || times[v] < since) {
        return new Answer(List.of(), Optional.of(Refusal.NO_RECENT_POSITION), -1);
      }
      if (flagged[v]) {
        return new Answer(List.of(), Optional.of(Refusal.IMPLAUSIBLE_POSITION), cells[v]);
      }
      int viewer = v;
      IntArrayList[] byBand = new IntArrayList[Grid.bands()];
      Grid.cellsWithin(
          cells[viewer],
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
            if (s != viewer && times[s] >= since) {
              top.offer(mix(seed ^ keys[s]), s);
            }
          }
        }
        for (int s : top.sorted()) {
          hits.add(new Hit(ids[s], band));
        }
      }
      return new Answer(hits, Optional.empty(), cells[viewer]);
    } finally {
      lock.readLock().unlock();
    }
  }

  private int slot(String subjectId) {
    Integer s = slots.get(subjectId);
    if (s != null) {
      return s;
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
    cells[n] = -1;
    times[n] = 0;
    flagged[n] = false;
    visible[n] = false;
    positions[n] = -1;
    slots.put(subjectId, n);
    return n;
  }

  private void grow() {
    int n = ids.length * 2;
    ids = Arrays.copyOf(ids, n);
    keys = Arrays.copyOf(keys, n);
    cells = Arrays.copyOf(cells, n);
    lats = Arrays.copyOf(lats, n);
    lons = Arrays.copyOf(lons, n);
    times = Arrays.copyOf(times, n);
    visible = Arrays.copyOf(visible, n);
    flagged = Arrays.copyOf(flagged, n);
    positions = Arrays.copyOf(positions, n);
  }

  private void attachIfListed(int s) {
    if (positions[s] >= 0 || !visible[s] || flagged[s] || cells[s] < 0) {
      return;
    }
    Bucket b = buckets.get(cells[s]);
    if (b == null) {
      b = new Bucket();
      buckets.put(cells[s], b);
    }
    if (b.size == b.slots.length) {
      b.slots = Arrays.copyOf(b.slots, b.size * 2);
    }
    positions[s] = b.size;
    b.slots[b.size++] = s;
  }

  private void detach(int s) {
    int p = positions[s];
    if (p < 0) {
      return;
    }
    Bucket b = buckets.get(cells[s]);
    int last = b.slots[--b.size];
    b.slots[p] = last;
    positions[last] = p;
    positions[s] = -1;
    if (b.size == 0) {
      buckets.remove(cells[s]);
    }
  }

  /** SplitMix64's finalizer: a good 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The k smallest keys offered, with their slots: a bounded max-heap. */
  private static final class TopK {
    private long[] keys;
    private int[] slots;
    private int k;
    private int size;

    TopK(int capacity) {
      keys = new long[Math.max(1, capacity)];
      slots = new int[Math.max(1, capacity)];
    }

    void reset(int k) {
      this.k = k;
      size = 0;
    }

    void offer(long key, int slot) {
      if (size < k) {
        keys[size] = key;
        slots[size] = slot;
        up(size++);
      } else if (k > 0 && Long.compareUnsigned(key, keys[0]) < 0) {
        keys[0] = key;
        slots[0] = slot;
        down(0);
      }
    }

    /** The slots held, smallest key first. */
    int[] sorted() {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Long.compareUnsigned(keys[a], keys[b]));
      int[] out = new int[size];
      for (int i = 0; i < size; i++) {
        out[i] = slots[order[i]];
      }
      return out;
    }

    private void up(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (Long.compareUnsigned(keys[i], keys[parent]) <= 0) {
          return;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void down(int i) {
      while (true) {
        int l = 2 * i + 1;
        int r = l + 1;
        int largest = i;
        if (l < size && Long.compareUnsigned(keys[l], keys[largest]) > 0) {
          largest = l;
        }
        if (r < size && Long.compareUnsigned(keys[r], keys[largest]) > 0) {
          largest = r;
        }
        if (largest == i) {
          return;
        }
        swap(i, largest);
        i = largest;
      }
    }

    private void swap(int a, int b) {
      long k0 = keys[a];
      keys[a] = keys[b];
      keys[b] = k0;
      int s0 = slots[a];
      slots[a] = slots[b];
      slots[b] = s0;
    }
  }
}
