package app.candor.usage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared instance per distinct string (person ids, feature names), bounded: past {@code max}
 * strings it starts over. Events wait for the roll-up in memory, few strings recur across many
 * events, and shared strings keep young collections (and their pauses) small. Safe from any thread.
 */
final class StringPool {
  private final int max;
  private final Map<String, String> pool = new ConcurrentHashMap<>();

  StringPool(int max) {
    this.max = max;
  }

  /** The pooled instance equal to {@code s}; {@code s} itself becomes it when there is none. */
  String intern(String s) {
    String mine = pool.get(s);
    if (mine != null) {
      return mine;
    }
    if (pool.size() >= max) {
      pool.clear();
    }
    pool.put(s, s);
    return s;
  }

  /** Forgets {@code s} (an erased person's id). */
  void remove(String s) {
    pool.remove(s);
  }
}
