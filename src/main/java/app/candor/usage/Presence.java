package app.candor.usage;

import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;

/**
 * Which people of a group of events still exist (have a key), so that no event of an erased person
 * is stored or rolled up. On PostgreSQL each write reads their key rows {@code FOR SHARE}, locked
 * against erasure. On SQLite the people seen before answer from memory, up to a bound: erasure
 * calls {@link #forget} inside its transaction, which holds the database's single write lock, so no
 * write that could still see them runs after it.
 */
final class Presence {
  private static final int CHUNK = 500;

  private final Database db;
  // SQLite only: people known to exist.
  private final Set<String> alive = ConcurrentHashMap.newKeySet();
  private final int aliveMax;

  /**
   * @param aliveMax the most people remembered as present; past it, all are looked up again
   */
  Presence(Database db, int aliveMax) {
    this.db = db;
    this.aliveMax = aliveMax;
  }

  /**
   * Which people of {@code events} still exist; on PostgreSQL, locked against erasure. On SQLite
   * the people seen before answer from memory.
   */
  Predicate<String> of(Handle h, List<UsageEvent> events) {
    boolean postgres = db.dialect() == Database.Dialect.POSTGRESQL;
    if (alive.size() > aliveMax) {
      // Bounded memory: everyone is looked up again (before the answers below rely on the set).
      alive.clear();
    }
    Set<String> ask = new HashSet<>();
    String last = null;
    for (UsageEvent e : events) {
      if (e.subjectId() == last) {
        continue;
      }
      last = e.subjectId();
      if (postgres || !alive.contains(last)) {
        ask.add(last);
      }
    }
    if (ask.isEmpty()) {
      return alive::contains;
    }
    Set<String> found = new HashSet<>();
    List<String> subjects = new ArrayList<>(ask);
    String lock = postgres ? " FOR SHARE" : "";
    for (int i = 0; i < subjects.size(); i += CHUNK) {
      found.addAll(
          h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)" + lock)
              .bindList("s", subjects.subList(i, Math.min(subjects.size(), i + CHUNK)))
              .mapTo(String.class)
              .list());
    }
    if (postgres) {
      return found::contains;
    }
    alive.addAll(found);
    return s -> ask.contains(s) ? found.contains(s) : alive.contains(s);
  }

  /** Forgets that the person exists (erasure, inside its transaction). */
  void forget(String subject) {
    alive.remove(subject);
  }
}
