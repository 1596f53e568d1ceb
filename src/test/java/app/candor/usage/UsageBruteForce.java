package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;

/**
 * What every usage rollup must hold, recomputed by brute force from the raw rows of {@code
 * usage_events}, independently of the writer: per the V3 migration's comments (UTC epoch days,
 * weeks = floorDiv(day + 3, 7), the distinct-people grid) and the session definition (a new session
 * after {@code gap} of inactivity, at most {@code maxLength} long, explicit
 * session_start/session_end honoured), applied to each person's events in time order, whatever
 * order they arrived in.
 */
final class UsageBruteForce {
  static final long DAY = 86_400_000L;

  /** One stored event. */
  record Raw(String subject, String messageId, long at, String type, String name) {
    long day() {
      return Math.floorDiv(at, DAY);
    }

    boolean featureUse() {
      return type.equals("track") || type.equals("screen");
    }
  }

  /** One session, as usage_sessions holds it (features sorted, the id left out). */
  record Session(
      String subject,
      long startedAt,
      long lastAt,
      int events,
      List<String> features,
      boolean explicit,
      boolean closed) {
    long day() {
      return Math.floorDiv(startedAt, DAY);
    }

    long seconds() {
      return (lastAt - startedAt) / 1000;
    }
  }

  private final long gap;
  private final long maxLength;

  UsageBruteForce(long gapMillis, long maxLengthMillis) {
    this.gap = gapMillis;
    this.maxLength = maxLengthMillis;
  }

  static UsageBruteForce defaults() {
    return new UsageBruteForce(30 * 60_000L, 24 * 3_600_000L);
  }

  // ------------------------------------------------------------------ reading

  static List<Raw> raw(Database db) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT subject_id, message_id, at, type, name FROM usage_events")
                .map(
                    (rs, ctx) ->
                        new Raw(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getLong(3),
                            rs.getString(4),
                            rs.getString(5)))
                .list());
  }

  /**
   * The rows of a rollup: the key columns ({@code s} text, {@code l} whole number, as {@code
   * keyTypes} says), then the counter. A row counting zero is a row like any other, so it shows as
   * a difference: the rollups keep none (one keyed by a feature name would keep a name that an
   * erased person's events brought in).
   */
  static Map<List<Object>, Long> table(Database db, String sql, String keyTypes) {
    return db.withHandle(
        h ->
            h
                .createQuery(sql)
                .map(
                    (rs, ctx) -> {
                      List<Object> key = new ArrayList<>();
                      for (int i = 0; i < keyTypes.length(); i++) {
                        key.add(
                            keyTypes.charAt(i) == 's'
                                ? (Object) rs.getString(i + 1)
                                : (Object) rs.getLong(i + 1));
                      }
                      return Map.entry(key, rs.getLong(keyTypes.length() + 1));
                    })
                .list()
                .stream()
                .collect(
                    Collectors.toMap(
                        Map.Entry::getKey, Map.Entry::getValue, Long::sum, HashMap::new)));
  }

  static List<Session> storedSessions(Database db) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT subject_id, started_at, last_at, events, features, explicit, closed"
                        + " FROM usage_sessions")
                .map(
                    (rs, ctx) ->
                        new Session(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getInt(4),
                            rs.getString(5).isEmpty()
                                ? List.of()
                                : Arrays.stream(rs.getString(5).split(",")).sorted().toList(),
                            rs.getBoolean(6),
                            rs.getBoolean(7)))
                .list());
  }

  // ------------------------------------------------------------------ brute force

  /** (person, feature or '*', day) to uses. */
  static Map<List<Object>, Long> personDays(List<Raw> raw) {
    Map<List<Object>, Long> out = new HashMap<>();
    for (Raw r : raw) {
      out.merge(List.of(r.subject(), "*", r.day()), 1L, Long::sum);
      if (r.featureUse()) {
        out.merge(List.of(r.subject(), r.name(), r.day()), 1L, Long::sum);
      }
    }
    return out;
  }

  static Map<List<Object>, Long> featureDays(List<Raw> raw) {
    Map<List<Object>, Long> out = new HashMap<>();
    personDays(raw).forEach((k, v) -> out.merge(List.of(k.get(1), k.get(2)), v, Long::sum));
    return out;
  }

  /** Active days per feature ('*' for any) and person. */
  static Map<String, Map<String, TreeSet<Long>>> activeDays(List<Raw> raw) {
    Map<String, Map<String, TreeSet<Long>>> out = new TreeMap<>();
    for (List<Object> k : personDays(raw).keySet()) {
      out.computeIfAbsent((String) k.get(1), f -> new TreeMap<>())
          .computeIfAbsent((String) k.get(0), s -> new TreeSet<>())
          .add((Long) k.get(2));
    }
    return out;
  }

  static Map<List<Object>, Long> gaps(List<Raw> raw) {
    Map<List<Object>, Long> out = new HashMap<>();
    activeDays(raw)
        .forEach(
            (feature, people) ->
                people
                    .values()
                    .forEach(
                        days -> {
                          long prev = -1;
                          for (long d : days) {
                            out.merge(List.of(feature, d, prev), 1L, Long::sum);
                            prev = d;
                          }
                        }));
    return out;
  }

  static long week(long day) {
    return Math.floorDiv(day + 3, 7);
  }

  static Map<List<Object>, Long> cohorts(List<Raw> raw) {
    Map<List<Object>, Long> out = new HashMap<>();
    for (TreeSet<Long> days : activeDays(raw).getOrDefault("*", Map.of()).values()) {
      TreeSet<Long> weeks = new TreeSet<>();
      days.forEach(d -> weeks.add(week(d)));
      weeks.forEach(w -> out.merge(List.of(weeks.first(), w), 1L, Long::sum));
    }
    return out;
  }

  /** Each person's events in time order, grouped into sessions. */
  List<Session> sessions(List<Raw> raw) {
    Map<String, List<Raw>> byPerson = new TreeMap<>();
    raw.forEach(r -> byPerson.computeIfAbsent(r.subject(), s -> new ArrayList<>()).add(r));
    List<Session> out = new ArrayList<>();
    for (List<Raw> events : byPerson.values()) {
      events.sort(Comparator.comparingLong(Raw::at).thenComparing(Raw::messageId));
      Building cur = null;
      for (Raw e : events) {
        if (e.type().equals("session_start")) {
          if (cur != null) {
            cur.closed = true;
            out.add(cur.done());
          }
          cur = new Building(e, true);
        } else if (cur != null
            && (e.at() <= cur.last
                || (!cur.closed && e.at() - cur.last <= gap && e.at() - cur.start <= maxLength))) {
          // It joins the current session.
        } else {
          if (cur != null) {
            out.add(cur.done());
          }
          cur = new Building(e, false);
        }
        cur.last = e.at();
        cur.events++;
        if (e.featureUse()) {
          cur.features.add(e.name());
        }
        if (e.type().equals("session_end")) {
          cur.closed = true;
        }
      }
      if (cur != null) {
        out.add(cur.done());
      }
    }
    return out;
  }

  private static final class Building {
    final String subject;
    final long start;
    final boolean explicit;
    long last;
    int events;
    boolean closed;
    final TreeSet<String> features = new TreeSet<>();

    Building(Raw first, boolean explicit) {
      this.subject = first.subject();
      this.start = first.at();
      this.last = first.at();
      this.explicit = explicit;
    }

    Session done() {
      return new Session(subject, start, last, events, List.copyOf(features), explicit, closed);
    }
  }

  static Map<List<Object>, Long> sessionHist(List<Session> sessions) {
    Map<List<Object>, Long> out = new HashMap<>();
    for (Session s : sessions) {
      out.merge(List.of(s.day(), (long) UsageAnalytics.bucket(s.seconds())), 1L, Long::sum);
    }
    return out;
  }

  // ------------------------------------------------------------------ comparing

  /**
   * Asserts that every rollup equals its brute-force value over the raw rows now stored, that the
   * distinct-people grid answers {@code ranges} random day ranges exactly, and returns the raw
   * rows.
   */
  List<Raw> assertConsistent(Database db, String when, Random random, int ranges) {
    List<Raw> raw = raw(db);
    SoftAssertions soft = new SoftAssertions();
    Map<List<Object>, Long> days = new HashMap<>();
    personDays(raw).keySet().forEach(k -> days.put(k, 1L));
    soft.assertThat(table(db, "SELECT subject_id, feature, day, 1 FROM usage_person_days", "ssl"))
        .as("usage_person_days %s", when)
        .isEqualTo(days);
    soft.assertThat(table(db, "SELECT feature, day, uses FROM usage_feature_days", "sl"))
        .as("usage_feature_days %s", when)
        .isEqualTo(featureDays(raw));
    soft.assertThat(table(db, "SELECT feature, day, prev_day, people FROM usage_gaps", "sll"))
        .as("usage_gaps %s", when)
        .isEqualTo(gaps(raw));
    soft.assertThat(table(db, "SELECT cohort_week, week, people FROM usage_cohorts", "ll"))
        .as("usage_cohorts %s", when)
        .isEqualTo(cohorts(raw));
    List<Session> expected = sessions(raw);
    List<Session> stored = storedSessions(db);
    soft.assertThat(difference(stored, expected))
        .as("usage_sessions %s: stored but not by brute force", when)
        .isEmpty();
    soft.assertThat(difference(expected, stored))
        .as("usage_sessions %s: by brute force but not stored", when)
        .isEmpty();
    Map<List<Object>, Long> hist =
        table(db, "SELECT day, bucket, sessions FROM usage_session_hist", "ll");
    soft.assertThat(hist)
        .as("usage_session_hist %s, against usage_sessions", when)
        .isEqualTo(sessionHist(stored));
    soft.assertThat(hist).as("usage_session_hist %s", when).isEqualTo(sessionHist(expected));
    soft.assertAll();
    assertDistinctPeople(db, raw, when, random, ranges);
    return raw;
  }

  /** The sessions of {@code a} not in {@code b} (as multisets), in a stable order. */
  static List<Session> difference(List<Session> a, List<Session> b) {
    List<Session> rest = new ArrayList<>(b);
    List<Session> out = new ArrayList<>();
    for (Session s : a) {
      if (!rest.remove(s)) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(Session::subject).thenComparingLong(Session::startedAt));
    return out;
  }

  /** SUM(people) over day in [from, to] with prev_day < from is the number of distinct people. */
  static void assertDistinctPeople(
      Database db, List<Raw> raw, String when, Random random, int ranges) {
    Map<String, Map<String, TreeSet<Long>>> active = activeDays(raw);
    if (active.isEmpty()) {
      return;
    }
    long lo = raw.stream().mapToLong(Raw::day).min().orElseThrow() - 3;
    long hi = raw.stream().mapToLong(Raw::day).max().orElseThrow() + 3;
    List<String> features = new ArrayList<>(active.keySet());
    for (int i = 0; i < ranges; i++) {
      String feature = features.get(random.nextInt(features.size()));
      long a = lo + random.nextInt((int) (hi - lo + 1));
      long b = a + random.nextInt((int) (hi - a + 1));
      long brute =
          active.get(feature).values().stream()
              .filter(d -> !d.subSet(a, true, b, true).isEmpty())
              .count();
      long grid =
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT COALESCE(SUM(people), 0) FROM usage_gaps WHERE feature = :f"
                              + " AND day BETWEEN :a AND :b AND prev_day < :a")
                      .bind("f", feature)
                      .bind("a", a)
                      .bind("b", b)
                      .mapTo(Long.class)
                      .one());
      assertThat(grid)
          .as("distinct people using %s on days %d..%d, %s", feature, a, b, when)
          .isEqualTo(brute);
    }
  }
}
