package app.candor.usage;

import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
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
 *
 * <p>This class holds the rules every answer shares (the range, {@link #K}, the duration buckets)
 * and the answers' shapes; each family of questions is read by its own query ({@code
 * ActiveUsersQuery}, {@code SessionsQuery}, {@code FeaturesQuery}, {@code CohortsQuery}).
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

  /** Active users in rolling {@code window}s ending on each date of [from, to], with DAU/MAU. */
  public ActiveUsers activeUsers(LocalDate from, LocalDate to, Window window) {
    catchUp.run();
    Objects.requireNonNull(window, "window");
    long first = checkRange(from, to);
    return ActiveUsersQuery.run(db, first, to.toEpochDay(), window);
  }

  /** Sessions started in [from, to]. */
  public Sessions sessions(LocalDate from, LocalDate to) {
    catchUp.run();
    long first = checkRange(from, to);
    return SessionsQuery.run(db, first, to.toEpochDay());
  }

  /**
   * The {@code limit} most used features in [from, to] among those at least {@link #K} people used
   * in the range, with distinct people and daily uses. A feature fewer people used is left out, not
   * shown with its numbers suppressed: its name is something a service supplied, and may be all it
   * takes to tell who used it.
   */
  public Features features(LocalDate from, LocalDate to, int limit) {
    catchUp.run();
    long first = checkRange(from, to);
    if (limit < 1) {
      throw CandorException.invalid("limit", "must be at least 1");
    }
    return FeaturesQuery.run(db, first, to.toEpochDay(), limit);
  }

  /**
   * Weekly retention of the cohorts whose first week starts (on a Monday) in [from, to] and no
   * later than the current week.
   */
  public Retention retention(LocalDate from, LocalDate to) {
    catchUp.run();
    long first = checkRange(from, to);
    return CohortsQuery.run(db, first, to.toEpochDay(), week(today().toEpochDay()));
  }

  /** The Monday-based week of an epoch day. */
  public static long week(long day) {
    return Math.floorDiv(day + 3, 7);
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
