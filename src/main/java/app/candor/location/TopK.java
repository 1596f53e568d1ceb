package app.candor.location;

import java.util.Arrays;

/** The k smallest keys offered, with their slots: a bounded max-heap (people nearby's shuffle). */
final class TopK {
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
