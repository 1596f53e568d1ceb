package app.candor.usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** Assigns {@code e} to a session and updates it; returns the session touched. */
  synchronized Session assign(Handle h, UsageEvent e, Map<String, Session> touched) {
    Session current =
        latest.containsKey(e.subjectId())
            ? latest.get(e.subjectId())
            : loadLatest(h, e.subjectId());
    Session target;
    if (UsageEvent.SESSION_START.equals(e.type())) {
      if (current != null && !current.closed && current.lastAt <= e.at()) {
        current.closed = true;
        touched.put(current.id, current);
      }
      target = fresh(e, true);
    } else if (current != null && fits(current, e.at())) {
      target = current;
    } else if (current != null && e.at() < current.startedAt) {
      target = findCovering(h, e, touched).orElseGet(() -> fresh(e, false));
    } else {
      target = fresh(e, false);
    }
    target.startedAt = Math.min(target.startedAt, e.at());
    target.lastAt = Math.max(target.lastAt, e.at());
    target.events++;
    if (e.isFeatureUse() && target.features.size() < MAX_FEATURES) {
      target.features.add(e.name());
    }
    if (UsageEvent.SESSION_END.equals(e.type())) {
      target.closed = true;
    }
    Session newest = latest.get(e.subjectId());
    if (newest == null || target.lastAt >= newest.lastAt) {
      latest.put(e.subjectId(), target);
    }
    touched.put(target.id, target);
    return target;
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

  /** An older session this late event belongs to, if any. */
  private Optional<Session> findCovering(Handle h, UsageEvent e, Map<String, Session> touched) {
    for (Session s : touched.values()) {
      if (s.subjectId.equals(e.subjectId()) && fits(s, e.at())) {
        return Optional.of(s);
      }
    }
    List<Session> candidates =
        h.createQuery(
                SELECT
                    + " WHERE subject_id = :s AND started_at <= :hi AND last_at >= :lo"
                    + " ORDER BY last_at DESC LIMIT 3")
            .bind("s", e.subjectId())
            .bind("hi", e.at() + gap)
            .bind("lo", e.at() - gap)
            .map((rs, ctx) -> row(rs))
            .list();
    return candidates.stream().filter(s -> fits(s, e.at())).findFirst();
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
      throw new UsageWriter.StoreFailure(e);
    }
    for (Session s : all) {
      s.countedDay = s.day();
      s.countedBucket = s.bucket();
    }
  }
}
