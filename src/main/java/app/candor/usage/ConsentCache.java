package app.candor.usage;

import app.candor.core.catalog.Purpose;
import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether usage may be collected for a person: they exist and hold the {@code analytics} consent.
 * Answers from memory at ingestion rates; any consent change or erasure invalidates the entry
 * before the change returns, so a withdrawal stops collection at once. A load that races with an
 * invalidation is not cached (the epoch check), so a stale "yes" can never stick.
 */
final class ConsentCache {
  private static final int MAX_ENTRIES = 2_000_000;
  private static final int CHUNK = 500;

  private final Database db;
  private final Map<String, Boolean> allowed = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();

  ConsentCache(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  void invalidate(String subjectId) {
    epoch.incrementAndGet();
    allowed.remove(subjectId);
  }

  /** The subset of {@code subjects} whose usage may be collected now. */
  Set<String> allowed(Collection<String> subjects) {
    Set<String> out = new java.util.HashSet<>();
    List<String> misses = new ArrayList<>();
    for (String s : subjects) {
      Boolean known = allowed.get(s);
      if (known == null) {
        misses.add(s);
      } else if (known) {
        out.add(s);
      }
    }
    if (misses.isEmpty()) {
      return out;
    }
    long before = epoch.get();
    Map<String, Boolean> loaded = load(misses);
    if (epoch.get() == before) {
      if (allowed.size() > MAX_ENTRIES) {
        allowed.clear();
      }
      allowed.putAll(loaded);
    }
    loaded.forEach(
        (s, ok) -> {
          if (ok) {
            out.add(s);
          }
        });
    return out;
  }

  private Map<String, Boolean> load(List<String> subjects) {
    Map<String, Boolean> result = new HashMap<>();
    for (int i = 0; i < subjects.size(); i += CHUNK) {
      List<String> chunk = subjects.subList(i, Math.min(subjects.size(), i + CHUNK));
      db.withHandle(
          h -> {
            Set<String> existing =
                Set.copyOf(
                    h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)")
                        .bindList("s", chunk)
                        .mapTo(String.class)
                        .list());
            Set<String> granted =
                Set.copyOf(
                    h.createQuery(
                            "SELECT subject_id FROM consents WHERE purpose = :p AND granted = :g"
                                + " AND subject_id IN (<s>)")
                        .bind("p", Purpose.ANALYTICS.id())
                        .bind("g", true)
                        .bindList("s", chunk)
                        .mapTo(String.class)
                        .list());
            for (String s : chunk) {
              result.put(s, existing.contains(s) && granted.contains(s));
            }
            return null;
          });
    }
    return result;
  }
}
