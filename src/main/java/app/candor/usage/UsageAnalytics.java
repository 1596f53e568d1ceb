package app.candor.usage;

import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Usage analytics, aggregates only, answered from the rollup tables maintained at write time (never
 * from {@code usage_events}): each query loads a few hundred to a few thousand rollup rows and
 * computes the answer in Java.
 *
 * <p>Privacy: any number that fewer than {@link #K} people stand behind is suppressed: it becomes
 * {@code null}, and the object that holds it says {@code "suppressed": true}. The rule is the same
 * everywhere: an object's {@code suppressed} is true exactly when one of its own numbers (or an
 * item of one of its plain number arrays, such as a cohort's {@code retained}) is null for that
 * reason. Zero people is fewer than ten, so empty days are suppressed too. Suppression is per
 * number; it is not a defence against differencing overlapping windows.
 *
 * <p>Days are UTC epoch days; weeks are Monday-based, {@code week = floorDiv(day + 3, 7)}, so week
 * {@code w} starts on day {@code 7w - 3}.
 */
public final class UsageAnalytics {

  /** The smallest number of people a published number may stand for. */
  public static final int K = 10;

  /** The longest range a query may cover, in days, both ends included. */
  public static final int MAX_RANGE_DAYS = 400;

  /** The most weeks after the cohort's first week a retention row follows. */
  public static final int MAX_RETENTION_WEEKS = 12;

  /** The feature name that stands for any activity in the rollups. */
  static final String ANY = "*";

  /** Buckets below this are one second wide; from here on each is 5% wider than the last. */
  public static final int LINEAR_BUCKETS = 60;

  private static final double GROWTH = 1.05;
  private static final double LN_GROWTH = Math.log(GROWTH);

  /** The rolling windows of active users. */
  public enum Window {
    DAY(1),
    WEEK(7),
    MONTH(30);

    private final int days;

    Window(int days) {
      this.days = days;
    }

    public int days() {
      return days;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Window> byId(String id) {
      for (Window w : values()) {
        if (w.id().equals(id)) {
          return Optional.of(w);
        }
      }
      return Optional.empty();
    }
  }

  /** {@code {window, points}}: one point per date of the range. */
  public record ActiveUsers(String window, List<ActivePoint> points) {}

  /**
   * People active in the window ending on {@code date}, and that date's DAU/MAU (4 decimals).
   * {@code users} is null below {@link #K} people; {@code stickiness} is null when the date's DAU
   * is below {@link #K}.
   */
  public record ActivePoint(
      String date, @Nullable Long users, @Nullable Double stickiness, boolean suppressed) {}

  /**
   * Sessions started in the range: how many, the median and 90th percentile duration in seconds
   * (nearest rank, from the 5% duration buckets: within about 2.5% of the truth, plus rounding to
   * whole seconds, above a minute; exact below), and sessions per person active in the range (2
   * decimals). All null and suppressed when fewer than {@link #K} people were active; the durations
   * are null, unsuppressed, when there were no sessions.
   */
  public record Sessions(
      @Nullable Long count,
      @Nullable Long medianSeconds,
      @Nullable Long p90Seconds,
      @Nullable Double sessionsPerPerson,
      boolean suppressed) {}

  /**
   * {@code {features}}: the most used features among those at least {@link #K} people used, most
   * uses first; no other feature is named.
   */
  public record Features(List<FeatureUsage> features) {}

  /**
   * One feature: its uses and distinct people over the range, and its uses per date. {@code
   * suppressed} is always false (a feature under {@link #K} people is not listed at all); it stays
   * for the shape every analytics object shares.
   */
  public record FeatureUsage(
      String name, long uses, long people, boolean suppressed, List<DailyUses> daily) {}

  /** Uses of a feature on one date; null when fewer than {@link #K} people used it that day. */
  public record DailyUses(String date, @Nullable Long uses, boolean suppressed) {}

  /** {@code {period, cohorts}}: one cohort per week starting in the range, oldest first. */
  public record Retention(String period, List<Cohort> cohorts) {}

  /**
   * People whose first active week starts on {@code start}: the cohort size, and {@code
   * retained[k]}, the people of the cohort active in week {@code k} after it ({@code retained[0]}
   * is the size), for every week up to the current one, at most {@link #MAX_RETENTION_WEEKS}. A
   * cohort under {@link #K} people has every number null; a cell under {@link #K} is null.
   */
  public record Cohort(
      String start, @Nullable Long size, boolean suppressed, List<@Nullable Long> retained) {}

  private final Database db;
  private final Clock clock;
  private final Runnable catchUp;

  /**
   * @param catchUp brings the rollups up to date with every acknowledged event (the writer rolls up
   *     every two seconds); called before each question
   */
  public UsageAnalytics(Database db, Clock clock, Runnable catchUp) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.catchUp = Objects.requireNonNull(catchUp, "catchUp");
  }

  /**
   * The duration bucket of a session of {@code seconds} whole seconds: the seconds themselves below
   * a minute, then {@code 60 + floor(ln(s / 60) / ln(1.05))}, 5% wide buckets. Negative durations
   * count as 0. {@link #bucketSeconds} is the inverse.
   */
  public static int bucket(long seconds) {
    if (seconds < LINEAR_BUCKETS) {
      return (int) Math.max(0, seconds);
    }
    return LINEAR_BUCKETS + (int) Math.floor(Math.log(seconds / 60.0) / LN_GROWTH);
  }

  /**
   * The representative duration of a bucket, in whole seconds: the exact value below a minute, then
   * the geometric middle of the bucket, {@code 60 * 1.05^(b - 60 + 0.5)}, rounded; so the relative
   * error is at most about 2.5%, plus half a second of rounding.
   */
  public static long bucketSeconds(int bucket) {
    if (bucket < LINEAR_BUCKETS) {
      return Math.max(0, bucket);
    }
    return Math.round(60.0 * Math.pow(GROWTH, bucket - LINEAR_BUCKETS + 0.5));
  }

  /** Today, in UTC, by this instance's clock. */
  public LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  // ---------------------------------------------------------------- active users

  /** Active users in rolling {@code window}s ending on each date of [from, to], with DAU/MAU. */
  public ActiveUsers activeUsers(LocalDate from, LocalDate to, Window window) {
    catchUp.run();
    Objects.requireNonNull(window, "window");
    long first = checkRange(from, to);
    long last = to.toEpochDay();
    // Stickiness needs the month ending on each date, whatever the window.
    int reach = Math.max(window.days(), Window.MONTH.days());
    Grid grid = Grid.load(db, ANY, Math.max(0, first - reach + 1), last);
    List<ActivePoint> points = new ArrayList<>();
    for (long d = first; d <= last; d++) {
      long users = grid.distinct(d - window.days() + 1, d);
      long dau = grid.distinct(d, d);
      long mau = grid.distinct(d - Window.MONTH.days() + 1, d);
      Long shownUsers = users >= K ? users : null;
      Double stickiness = dau >= K && mau > 0 ? round((double) dau / mau, 4) : null;
      points.add(
          new ActivePoint(
              date(d), shownUsers, stickiness, shownUsers == null || stickiness == null));
    }
    return new ActiveUsers(window.id(), points);
  }

  /**
   * The {@code usage_gaps} rows of one feature with day in [lo, hi], prev_day below lo folded into
   * one column: enough to count the distinct people of any window inside [lo, hi] exactly.
   */
  private static final class Grid {
    private final long lo;
    private final long hi;

    /**
     * {@code firsts[d - lo][i]}: people active on day d whose previous active day is below lo+i-1.
     */
    private final long[][] prefix;

    private Grid(long lo, long hi, long[][] prefix) {
      this.lo = lo;
      this.hi = hi;
      this.prefix = prefix;
    }

    static Grid load(Database db, String feature, long lo, long hi) {
      int n = (int) (hi - lo + 1);
      // cells[d][0]: previous day below lo (or none); cells[d][1 + p - lo]: previous day p.
      long[][] cells = new long[n][];
      for (int i = 0; i < n; i++) {
        cells[i] = new long[i + 2];
      }
      read(
          db,
          h ->
              h.createQuery(
                      "SELECT day, CASE WHEN prev_day < :lo THEN -1 ELSE prev_day END AS p,"
                          + " SUM(people) AS people FROM usage_gaps"
                          + " WHERE feature = :feature AND day BETWEEN :lo AND :hi"
                          + " GROUP BY 1, 2")
                  .bind("feature", feature)
                  .bind("lo", lo)
                  .bind("hi", hi)
                  .map(
                      (rs, ctx) -> {
                        int d = (int) (rs.getLong("day") - lo);
                        long p = rs.getLong("p");
                        int i = p < lo ? 0 : (int) (p - lo + 1);
                        if (i < cells[d].length) {
                          cells[d][i] += rs.getLong("people");
                        }
                        return 0;
                      })
                  .forEach(x -> {}));
      for (long[] row : cells) {
        for (int i = 1; i < row.length; i++) {
          row[i] += row[i - 1];
        }
      }
      return new Grid(lo, hi, cells);
    }

    /** The distinct people active in [a, b], clipped to [lo, hi]. */
    long distinct(long a, long b) {
      long start = Math.max(a, lo);
      long end = Math.min(b, hi);
      long total = 0;
      for (long d = start; d <= end; d++) {
        long[] row = prefix[(int) (d - lo)];
        // Previous active day before start: index 0 (below lo) up to 1 + (start - 1) - lo.
        int upTo = (int) Math.min(start - lo, row.length - 1);
        total += row[upTo];
      }
      return total;
    }
  }

  // ---------------------------------------------------------------- sessions

  /** Sessions started in [from, to]. */
  public Sessions sessions(LocalDate from, LocalDate to) {
    catchUp.run();
    long first = checkRange(from, to);
    long last = to.toEpochDay();
    TreeMap<Integer, Long> buckets = new TreeMap<>();
    read(
        db,
        h ->
            h.createQuery(
                    "SELECT bucket, SUM(sessions) AS sessions FROM usage_session_hist"
                        + " WHERE day BETWEEN :first AND :last GROUP BY bucket")
                .bind("first", first)
                .bind("last", last)
                .map(
                    (rs, ctx) ->
                        buckets.merge(rs.getInt("bucket"), rs.getLong("sessions"), Long::sum))
                .forEach(x -> {}));
    long people = distinctPeople(List.of(ANY), first, last).getOrDefault(ANY, 0L);
    if (people < K) {
      return new Sessions(null, null, null, null, true);
    }
    long count = buckets.values().stream().mapToLong(Long::longValue).filter(c -> c > 0).sum();
    Long median = count == 0 ? null : percentile(buckets, count, 0.5);
    Long p90 = count == 0 ? null : percentile(buckets, count, 0.9);
    return new Sessions(count, median, p90, round((double) count / people, 2), false);
  }

  /** The representative seconds of the nearest-rank {@code q} quantile of the histogram. */
  private static long percentile(TreeMap<Integer, Long> buckets, long count, double q) {
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seen = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      if (e.getValue() <= 0) {
        continue;
      }
      seen += e.getValue();
      if (seen >= rank) {
        return bucketSeconds(e.getKey());
      }
    }
    return bucketSeconds(buckets.lastKey());
  }

  // ---------------------------------------------------------------- features

  /**
   * The {@code limit} most used features in [from, to] among those at least {@link #K} people used
   * in the range, with distinct people and daily uses. A feature fewer people used is left out, not
   * shown with its numbers suppressed: its name is something a service supplied, and may be all it
   * takes to tell who used it.
   */
  public Features features(LocalDate from, LocalDate to, int limit) {
    catchUp.run();
    long first = checkRange(from, to);
    long last = to.toEpochDay();
    if (limit < 1) {
      throw CandorException.invalid("limit", "must be at least 1");
    }
    Map<String, Long> uses = new LinkedHashMap<>();
    Map<String, Long> people = new HashMap<>();
    // The most used first, a page at a time, until enough of them have K people or more.
    int page = Math.max(limit, FEATURE_PAGE);
    for (int offset = 0; uses.size() < limit; offset += page) {
      Map<String, Long> candidates = mostUsed(first, last, page, offset);
      if (candidates.isEmpty()) {
        break;
      }
      Map<String, Long> counted = distinctPeople(new ArrayList<>(candidates.keySet()), first, last);
      for (Map.Entry<String, Long> c : candidates.entrySet()) {
        long p = counted.getOrDefault(c.getKey(), 0L);
        if (p >= K && uses.size() < limit) {
          uses.put(c.getKey(), c.getValue());
          people.put(c.getKey(), p);
        }
      }
      if (candidates.size() < page) {
        break;
      }
    }
    if (uses.isEmpty()) {
      return new Features(List.of());
    }
    List<String> names = new ArrayList<>(uses.keySet());
    int n = (int) (last - first + 1);
    Map<String, long[]> dailyUses = new HashMap<>();
    Map<String, long[]> dailyPeople = new HashMap<>();
    for (String name : names) {
      dailyUses.put(name, new long[n]);
      dailyPeople.put(name, new long[n]);
    }
    read(
        db,
        h -> {
          h.createQuery(
                  "SELECT feature, day, uses FROM usage_feature_days"
                      + " WHERE feature IN (<names>) AND day BETWEEN :first AND :last")
              .bindList("names", names)
              .bind("first", first)
              .bind("last", last)
              .map(
                  (rs, ctx) ->
                      dailyUses.get(rs.getString("feature"))[(int) (rs.getLong("day") - first)] +=
                          rs.getLong("uses"))
              .forEach(x -> {});
          h.createQuery(
                  "SELECT feature, day, SUM(people) AS active FROM usage_gaps"
                      + " WHERE feature IN (<names>) AND day BETWEEN :first AND :last"
                      + " GROUP BY feature, day")
              .bindList("names", names)
              .bind("first", first)
              .bind("last", last)
              .map(
                  (rs, ctx) ->
                      dailyPeople.get(rs.getString("feature"))[(int) (rs.getLong("day") - first)] +=
                          rs.getLong("active"))
              .forEach(x -> {});
        });
    List<FeatureUsage> shown = new ArrayList<>();
    for (String name : names) {
      List<DailyUses> daily = new ArrayList<>(n);
      long[] u = dailyUses.get(name);
      long[] p = dailyPeople.get(name);
      for (int i = 0; i < n; i++) {
        boolean small = p[i] < K;
        daily.add(new DailyUses(date(first + i), small ? null : u[i], small));
      }
      shown.add(new FeatureUsage(name, uses.get(name), people.get(name), false, daily));
    }
    return new Features(shown);
  }

  /** Features looked at per query while looking for the most used ones with K people or more. */
  private static final int FEATURE_PAGE = 50;

  /** A page of the features by uses in [first, last], most used first (ties by name). */
  private Map<String, Long> mostUsed(long first, long last, int limit, int offset) {
    Map<String, Long> uses = new LinkedHashMap<>();
    read(
        db,
        h ->
            h.createQuery(
                    "SELECT feature, SUM(uses) AS uses FROM usage_feature_days"
                        + " WHERE day BETWEEN :first AND :last AND feature <> :any"
                        + " GROUP BY feature HAVING SUM(uses) > 0"
                        + " ORDER BY 2 DESC, 1 LIMIT :limit OFFSET :offset")
                .bind("first", first)
                .bind("last", last)
                .bind("any", ANY)
                .bind("limit", limit)
                .bind("offset", offset)
                .map((rs, ctx) -> uses.put(rs.getString("feature"), rs.getLong("uses")))
                .forEach(x -> {}));
    return uses;
  }

  /** Distinct people active in [first, last] per feature, from {@code usage_gaps}. */
  private Map<String, Long> distinctPeople(List<String> features, long first, long last) {
    Map<String, Long> out = new HashMap<>();
    read(
        db,
        h ->
            h.createQuery(
                    "SELECT feature, SUM(people) AS people FROM usage_gaps"
                        + " WHERE feature IN (<features>) AND day BETWEEN :first AND :last"
                        + " AND prev_day < :first GROUP BY feature")
                .bindList("features", features)
                .bind("first", first)
                .bind("last", last)
                .map((rs, ctx) -> out.put(rs.getString("feature"), rs.getLong("people")))
                .forEach(x -> {}));
    return out;
  }

  // ---------------------------------------------------------------- retention

  /**
   * Weekly retention of the cohorts whose first week starts (on a Monday) in [from, to] and no
   * later than the current week.
   */
  public Retention retention(LocalDate from, LocalDate to) {
    catchUp.run();
    long first = checkRange(from, to);
    long last = to.toEpochDay();
    long current = week(today().toEpochDay());
    long firstCohort = Math.floorDiv(first + 3 + 6, 7); // the first week starting on or after from
    long lastCohort = Math.min(week(last), current);
    Map<Long, Map<Long, Long>> cells = new HashMap<>();
    if (firstCohort <= lastCohort) {
      read(
          db,
          h ->
              h.createQuery(
                      "SELECT cohort_week, week, people FROM usage_cohorts"
                          + " WHERE cohort_week BETWEEN :a AND :b AND week >= cohort_week"
                          + " AND week <= cohort_week + :span AND week <= :current")
                  .bind("a", firstCohort)
                  .bind("b", lastCohort)
                  .bind("span", MAX_RETENTION_WEEKS)
                  .bind("current", current)
                  .map(
                      (rs, ctx) ->
                          cells
                              .computeIfAbsent(rs.getLong("cohort_week"), w -> new HashMap<>())
                              .merge(rs.getLong("week"), rs.getLong("people"), Long::sum))
                  .forEach(x -> {}));
    }
    List<Cohort> cohorts = new ArrayList<>();
    for (long w = firstCohort; w <= lastCohort; w++) {
      Map<Long, Long> row = cells.getOrDefault(w, Map.of());
      int weeks = (int) Math.min(current - w, MAX_RETENTION_WEEKS) + 1;
      long size = row.getOrDefault(w, 0L);
      List<@Nullable Long> retained = new ArrayList<>(weeks);
      boolean suppressed = size < K;
      for (int k = 0; k < weeks; k++) {
        long people = row.getOrDefault(w + k, 0L);
        if (size < K || people < K) {
          retained.add(null);
          suppressed = true;
        } else {
          retained.add(people);
        }
      }
      cohorts.add(
          new Cohort(
              date(7 * w - 3),
              size < K ? null : size,
              suppressed,
              Collections.unmodifiableList(retained)));
    }
    return new Retention("week", cohorts);
  }

  // ---------------------------------------------------------------- helpers

  /** Runs {@code work} on a handle of {@code db}. */
  private static void read(Database db, java.util.function.Consumer<Handle> work) {
    db.<@Nullable Void, RuntimeException>withHandle(
        h -> {
          work.accept(h);
          return null;
        });
  }

  /** The Monday-based week of an epoch day. */
  public static long week(long day) {
    return Math.floorDiv(day + 3, 7);
  }

  private static String date(long epochDay) {
    return LocalDate.ofEpochDay(epochDay).toString();
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  /** The first epoch day of [from, to]; refuses an inverted, too long or pre-1970 range. */
  private static long checkRange(LocalDate from, LocalDate to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.toEpochDay() < 0) {
      throw CandorException.invalid("from", "must be 1970-01-01 or later");
    }
    if (to.isBefore(from)) {
      throw CandorException.invalid("to", "must not be before from");
    }
    if (to.toEpochDay() - from.toEpochDay() + 1 > MAX_RANGE_DAYS) {
      throw CandorException.invalid(
          "to", "the range may cover at most " + MAX_RANGE_DAYS + " days");
    }
    return from.toEpochDay();
  }
}
