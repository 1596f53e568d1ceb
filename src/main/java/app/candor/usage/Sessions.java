package app.candor.usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Groups each person's events into sessions: explicit ones (session_start ... session_end), or
 * inferred ones that end after {@code gap} of inactivity and last at most {@code maxLength}
 * (PostHog's and GA4's definitions). The latest session per person is kept in memory (derived
 * state, reloaded from the database when missing). Used by the writer thread only.
 */
final class Sessions {

  /** A session being updated in this write. */
  static final class Session {
    final String id;
    final String subjectId;
    long startedAt;
    long lastAt;
    int events;
    final Set<String> features;
    final boolean explicit;
    boolean closed;
    // What the histogram holds for it now (null: not counted yet).
    Long countedDay;
    Integer countedBucket;

    Session(
        String id,
        String subjectId,
        long startedAt,
        long lastAt,
        int events,
        Set<String> features,
        boolean explicit,
        boolean closed) {
      this.id = id;
      this.subjectId = subjectId;
      this.startedAt = startedAt;
      this.lastAt = lastAt;
      this.events = events;
      this.features = features;
      this.explicit = explicit;
      this.closed = closed;
    }

    long day() {
      return Math.floorDiv(startedAt, 86_400_000L);
    }

    int bucket() {
      return UsageAnalytics.bucket((lastAt - startedAt) / 1000);
    }
  }

  private static final int MAX_FEATURES = 100;
  private static final int CACHE = 200_000;

  private final long gap;
  private final long maxLength;
  private final Map<String, Session> latest =
      new LinkedHashMap<>(4096, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
          return size() > CACHE;
        }
      };

  Sessions(long gapMillis, long maxLengthMillis) {
    this.gap = gapMillis;
    this.maxLength = maxLengthMillis;
  }

  synchronized void forget(String subjectId) {
    latest.remove(subjectId);
  }

  synchronized void clear() {
    latest.clear();
  }

  /**
   * Assigns one person's new events of a write (in time order, already stored) to sessions, so that
   * the sessions are always those of the person's stored events taken in time order, whatever the
   * order they arrived in. An event at or after the person's latest one extends or starts a session
   * (the common case, in memory); a late feature use inside a session only counts in it; any other
   * late event has its stretch of sessions rebuilt from the stored events.
   */
  synchronized void assign(
      Handle h, List<UsageEvent> events, Map<String, Session> touched, Deltas deltas) {
    String subject = events.get(0).subjectId();
    for (UsageEvent e : events) {
      Session current = latest.containsKey(subject) ? latest.get(subject) : loadLatest(h, subject);
      if (current == null || e.at() >= current.lastAt) {
        append(e, current, touched);
        continue;
      }
      Session inside = e.isFeatureUse() ? containing(h, e, current, touched) : null;
      if (inside == null) {
        // The rest of this write's events of the person are stored already: one rebuild covers
        // them. It reads the sessions from the database, so this write's changes go there first.
        List<Session> pending =
            touched.values().stream().filter(s -> s.subjectId.equals(subject)).toList();
        flush(h, pending, deltas);
        pending.forEach(s -> touched.remove(s.id));
        long from =
            h.createQuery(
                    "SELECT MAX(started_at) FROM usage_sessions WHERE subject_id = :s"
                        + " AND started_at <= :t")
                .bind("s", subject)
                .bind("t", e.at())
                .mapTo(Long.class)
                .findOne()
                .orElse(e.at());
        rebuild(h, subject, from, events.get(events.size() - 1).at(), deltas);
        return;
      }
      add(inside, e.type(), e.name(), e.at());
      touched.put(inside.id, inside);
    }
  }

  /** An event at or after the person's latest one. */
  private void append(UsageEvent e, Session current, Map<String, Session> touched) {
    Session target;
    if (UsageEvent.SESSION_START.equals(e.type())) {
      if (current != null && !current.closed) {
        current.closed = true;
        touched.put(current.id, current);
      }
      target = fresh(e, true);
    } else if (current != null && fits(current, e.at())) {
      target = current;
    } else {
      target = fresh(e, false);
    }
    add(target, e.type(), e.name(), e.at());
    latest.put(e.subjectId(), target);
    touched.put(target.id, target);
  }

  private static void add(Session s, String type, String name, long at) {
    s.startedAt = Math.min(s.startedAt, at);
    s.lastAt = Math.max(s.lastAt, at);
    s.events++;
    if ((UsageEvent.TRACK.equals(type) || UsageEvent.SCREEN.equals(type))
        && s.features.size() < MAX_FEATURES) {
      s.features.add(name);
    }
    if (UsageEvent.SESSION_END.equals(type)) {
      s.closed = true;
    }
  }

  /** The session whose span holds the late event {@code e}, if any. */
  private Session containing(
      Handle h, UsageEvent e, Session current, Map<String, Session> touched) {
    if (current.startedAt <= e.at()) {
      return current;
    }
    // Sessions of a person never overlap: the first one ending at or after e holds it, or none.
    Session s =
        h.createQuery(SELECT + " WHERE subject_id = :s AND last_at >= :t ORDER BY last_at LIMIT 1")
            .bind("s", e.subjectId())
            .bind("t", e.at())
            .map((rs, ctx) -> row(rs))
            .findOne()
            .orElse(null);
    if (s == null || s.startedAt > e.at()) {
      return null;
    }
    Session mine = touched.get(s.id);
    return mine != null ? mine : s;
  }

  /**
   * Recomputes the person's sessions from their stored events at or after {@code from} (where a
   * session starts, or before all of them), in time order, until they agree again with the stored
   * sessions after {@code hi}: at an event after hi that starts a session in both. The sessions
   * replaced leave the histogram, the new ones enter it.
   */
  synchronized void rebuild(Handle h, String subject, long from, long hi, Deltas deltas) {
    latest.remove(subject);
    List<Session> old =
        h.createQuery(SELECT + " WHERE subject_id = :s AND started_at >= :f ORDER BY started_at")
            .bind("s", subject)
            .bind("f", from)
            .map((rs, ctx) -> row(rs))
            .list();
    Set<Long> starts = new java.util.HashSet<>();
    old.forEach(s -> starts.add(s.startedAt));
    List<Session> rebuilt = new ArrayList<>();
    long stop = Long.MAX_VALUE;
    try (var events =
        h.createQuery(
                "SELECT at, type, name FROM usage_events WHERE subject_id = :s AND seq IN ("
                    + EventLog.owned(h)
                    + ") AND at >= :f ORDER BY at, message_id")
            .bind("s", subject)
            .bind("f", from)
            .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3)})
            .iterator()) {
      Session cur = null;
      while (events.hasNext()) {
        Object[] ev = events.next();
        long at = (long) ev[0];
        String type = (String) ev[1];
        boolean explicit = UsageEvent.SESSION_START.equals(type);
        if (explicit || cur == null || !fits(cur, at)) {
          if (explicit && cur != null) {
            cur.closed = true;
          }
          if (at > hi && starts.contains(at)) {
            stop = at;
            break;
          }
          cur =
              new Session(
                  UUID.randomUUID().toString(),
                  subject,
                  at,
                  at,
                  0,
                  new LinkedHashSet<>(),
                  explicit,
                  false);
          rebuilt.add(cur);
        }
        add(cur, type, (String) ev[2], at);
      }
    }
    for (Session s : old) {
      if (s.startedAt < stop) {
        deltas.session(s.countedDay, s.countedBucket, -1);
        h.createUpdate("DELETE FROM usage_sessions WHERE session_id = :id")
            .bind("id", s.id)
            .execute();
      }
    }
    flush(h, rebuilt, deltas);
  }

  private boolean fits(Session s, long at) {
    if (at >= s.startedAt && at <= s.lastAt) {
      return true;
    }
    if (s.closed) {
      return false;
    }
    long start = Math.min(s.startedAt, at);
    long end = Math.max(s.lastAt, at);
    return at >= s.startedAt - gap && at <= s.lastAt + gap && end - start <= maxLength;
  }

  private Session fresh(UsageEvent e, boolean explicit) {
    return new Session(
        UUID.randomUUID().toString(),
        e.subjectId(),
        e.at(),
        e.at(),
        0,
        new LinkedHashSet<>(),
        explicit,
        false);
  }

  private Session loadLatest(Handle h, String subjectId) {
    Session s =
        h.createQuery(SELECT + " WHERE subject_id = :s ORDER BY last_at DESC LIMIT 1")
            .bind("s", subjectId)
            .map((rs, ctx) -> row(rs))
            .findOne()
            .orElse(null);
    if (s != null) {
      latest.put(subjectId, s);
    }
    return s;
  }

  private static final String SELECT =
      "SELECT session_id, subject_id, started_at, last_at, events, features, explicit, closed"
          + " FROM usage_sessions";

  private static Session row(java.sql.ResultSet rs) throws java.sql.SQLException {
    String features = rs.getString(6);
    Session s =
        new Session(
            rs.getString(1),
            rs.getString(2),
            rs.getLong(3),
            rs.getLong(4),
            rs.getInt(5),
            features.isEmpty()
                ? new LinkedHashSet<>()
                : new LinkedHashSet<>(Arrays.asList(features.split(","))),
            rs.getBoolean(7),
            rs.getBoolean(8));
    s.countedDay = s.day();
    s.countedBucket = s.bucket();
    return s;
  }

  /** Writes the touched sessions and moves them between histogram buckets. */
  static void flush(Handle h, Iterable<Session> touched, Deltas deltas) {
    List<Session> all = new ArrayList<>();
    try (java.sql.PreparedStatement upsert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO usage_sessions (session_id, subject_id, started_at, last_at, events,"
                    + " features, explicit, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (session_id) DO UPDATE SET started_at = excluded.started_at,"
                    + " last_at = excluded.last_at, events = excluded.events,"
                    + " features = excluded.features, closed = excluded.closed")) {
      for (Session s : touched) {
        all.add(s);
        upsert.setString(1, s.id);
        upsert.setString(2, s.subjectId);
        upsert.setLong(3, s.startedAt);
        upsert.setLong(4, s.lastAt);
        upsert.setInt(5, s.events);
        upsert.setString(6, String.join(",", s.features));
        upsert.setBoolean(7, s.explicit);
        upsert.setBoolean(8, s.closed);
        upsert.addBatch();
        if (s.countedDay != null) {
          deltas.session(s.countedDay, s.countedBucket, -1);
        }
        deltas.session(s.day(), s.bucket(), 1);
      }
      if (!all.isEmpty()) {
        upsert.executeBatch();
      }
    } catch (java.sql.SQLException e) {
      throw new StoreFailure(e);
    }
    for (Session s : all) {
      s.countedDay = s.day();
      s.countedBucket = s.bucket();
    }
  }
}
