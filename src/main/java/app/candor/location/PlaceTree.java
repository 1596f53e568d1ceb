package app.candor.location;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable k-d tree over places as unit vectors on the sphere (x, y, z). The straight-line
 * (chord) distance between two unit vectors grows with the great-circle distance, so the nearest by
 * chord are the nearest on Earth, with no special case at the poles or the antimeridian.
 *
 * <p>The tree is implicit: the points of a subtree are the range {@code [lo, hi)} of the arrays,
 * its splitting point is the middle one and {@code axis[mid]} says which coordinate it splits on
 * (the one with the widest spread). Ranges of at most {@link #LEAF} points are scanned.
 */
final class PlaceTree {
  private static final int LEAF = 8;

  private final Place[] places;
  private final int[] categories;
  private final double[] xyz;
  private final byte[] axis;

  /** Builds the tree; {@code categories[i]} is the category code of {@code places[i]}. */
  PlaceTree(List<Place> input, int[] categoryCodes) {
    int n = input.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    double[] raw = new double[3 * n];
    for (int i = 0; i < n; i++) {
      unit(input.get(i).lat(), input.get(i).lon(), raw, 3 * i);
    }
    byte[] axes = new byte[n];
    build(order, raw, axes, 0, n);
    this.places = new Place[n];
    this.categories = new int[n];
    this.xyz = new double[3 * n];
    this.axis = axes;
    for (int i = 0; i < n; i++) {
      int from = order[i];
      places[i] = input.get(from);
      categories[i] = categoryCodes[from];
      System.arraycopy(raw, 3 * from, xyz, 3 * i, 3);
    }
  }

  int size() {
    return places.length;
  }

  List<Place> places() {
    return Arrays.asList(places);
  }

  int[] categories() {
    return categories.clone();
  }

  /** Offers every place within the query's bound to it, nearest subtrees first. */
  void search(Query query) {
    search(query, 0, places.length);
  }

  private void search(Query q, int lo, int hi) {
    if (hi - lo <= LEAF) {
      for (int i = lo; i < hi; i++) {
        offer(q, i);
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    int a = axis[mid];
    double diff = q.v[a] - xyz[3 * mid + a];
    if (diff <= 0) {
      search(q, lo, mid);
      offer(q, mid);
      if (diff * diff <= q.bound()) {
        search(q, mid + 1, hi);
      }
    } else {
      search(q, mid + 1, hi);
      offer(q, mid);
      if (diff * diff <= q.bound()) {
        search(q, lo, mid);
      }
    }
  }

  private void offer(Query q, int i) {
    if (q.category >= 0 && categories[i] != q.category) {
      return;
    }
    double dx = q.v[0] - xyz[3 * i];
    double dy = q.v[1] - xyz[3 * i + 1];
    double dz = q.v[2] - xyz[3 * i + 2];
    double d2 = dx * dx + dy * dy + dz * dz;
    if (d2 <= q.bound()) {
      q.add(d2, places[i]);
    }
  }

  /** Writes the unit vector of ({@code lat}, {@code lon}) at {@code out[at..at+2]}. */
  static void unit(double lat, double lon, double[] out, int at) {
    double phi = Math.toRadians(lat);
    double lambda = Math.toRadians(lon);
    double c = Math.cos(phi);
    out[at] = c * Math.cos(lambda);
    out[at + 1] = c * Math.sin(lambda);
    out[at + 2] = Math.sin(phi);
  }

  private static void build(int[] order, double[] raw, byte[] axes, int lo, int hi) {
    if (hi - lo <= LEAF) {
      return;
    }
    int a = widestAxis(order, raw, lo, hi);
    int mid = (lo + hi) >>> 1;
    select(order, raw, a, lo, hi - 1, mid);
    axes[mid] = (byte) a;
    build(order, raw, axes, lo, mid);
    build(order, raw, axes, mid + 1, hi);
  }

  private static int widestAxis(int[] order, double[] raw, int lo, int hi) {
    int best = 0;
    double widest = -1;
    for (int a = 0; a < 3; a++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (int i = lo; i < hi; i++) {
        double v = raw[3 * order[i] + a];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      if (max - min > widest) {
        widest = max - min;
        best = a;
      }
    }
    return best;
  }

  /** Quickselect: puts the k-th smallest of {@code order[lo..hi]} by axis {@code a} at k. */
  private static void select(int[] order, double[] raw, int a, int lo, int hi, int k) {
    while (hi > lo) {
      double pivot = raw[3 * order[(lo + hi) >>> 1] + a];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (raw[3 * order[i] + a] < pivot) i++;
        while (raw[3 * order[j] + a] > pivot) j--;
        if (i <= j) {
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return;
      }
    }
  }

  /**
   * One nearby search: the query point, an optional category code, and the best {@code limit}
   * places so far in a bounded max-heap on squared chord length.
   */
  static final class Query {
    final double[] v = new double[3];
    final int category;
    private final double maxChord2;
    private final double[] heap;
    private final Place[] found;
    private int size;

    Query(double lat, double lon, double maxChord2, int category, int limit) {
      unit(lat, lon, v, 0);
      this.maxChord2 = maxChord2;
      this.category = category;
      this.heap = new double[limit];
      this.found = new Place[limit];
    }

    /** The squared chord a place must be within to be of interest. */
    double bound() {
      return size == heap.length ? heap[0] : maxChord2;
    }

    void add(double d2, Place place) {
      if (size < heap.length) {
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (heap[parent] >= d2) {
            break;
          }
          heap[i] = heap[parent];
          found[i] = found[parent];
          i = parent;
        }
        heap[i] = d2;
        found[i] = place;
        return;
      }
      if (d2 >= heap[0]) {
        return;
      }
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && heap[child + 1] > heap[child]) {
          child++;
        }
        if (heap[child] <= d2) {
          break;
        }
        heap[i] = heap[child];
        found[i] = found[child];
        i = child;
      }
      heap[i] = d2;
      found[i] = place;
    }

    /** The places found, in no particular order. */
    List<Place> found() {
      return Arrays.asList(Arrays.copyOf(found, size));
    }
  }
}
