package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.Candor;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.testing.TestDatabases;
import app.candor.usage.UsageAnalytics.ActivePoint;
import app.candor.usage.UsageAnalytics.ActiveUsers;
import app.candor.usage.UsageAnalytics.Cohort;
import app.candor.usage.UsageAnalytics.DailyUses;
import app.candor.usage.UsageAnalytics.FeatureUsage;
import app.candor.usage.UsageAnalytics.Features;
import app.candor.usage.UsageAnalytics.Retention;
import app.candor.usage.UsageAnalytics.Sessions;
import app.candor.usage.UsageAnalytics.Window;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analytics answer, from rollup rows derived from known activity, exactly what a brute-force
 * computation over that activity gives, suppression below ten people included; on both databases.
 */
class UsageAnalyticsTest {

  /** A Monday. */
  private static final LocalDate BASE = LocalDate.of(2025, 1, 6);

  private static final long B = BASE.toEpochDay();

  /** "Now": a Wednesday, 9 weeks and 2 days after BASE. */
  private static final Clock CLOCK =
      Clock.fixed(BASE.plusDays(65).atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

  private static final List<String> FEATURES = List.of("chat", "pay", "maps", "ads", "rare");

  @TempDir Path dir;

  // ------------------------------------------------------------------ fixtures

  /** About 90 people over 110 days: regulars, occasional users, joiners and churners. */
  static RollupFixture realistic() {
    Random random = new Random(42);
    RollupFixture f = new RollupFixture();
    for (int i = 0; i < 90; i++) {
      String person = "p" + i;
      double level = new double[] {0.04, 0.15, 0.4, 0.8}[i % 4];
      long start = B - 40 + random.nextInt(80);
      long end = start + 5 + random.nextInt(100);
      for (long d = start; d <= Math.min(end, B + 70); d++) {
        if (random.nextDouble() >= level) {
          continue;
        }
        boolean any = false;
        double[] popularity = {0.9, 0.35, 0.2, 0.1, i < 4 ? 0.5 : 0.0};
        for (int k = 0; k < FEATURES.size(); k++) {
          if (random.nextDouble() < popularity[k]) {
            f.use(person, FEATURES.get(k), d, 1 + random.nextInt(6));
            any = true;
          }
        }
        if (!any) {
          f.use(person, "chat", d, 1);
        }
        int sessions = 1 + random.nextInt(3);
        for (int s = 0; s < sessions; s++) {
          long seconds =
              random.nextInt(4) == 0
                  ? random.nextInt(60)
                  : (long) (60 * Math.exp(random.nextDouble() * Math.log(24 * 60)));
          f.session(person, d, seconds);
        }
      }
    }
    return f;
  }

  private Candor open(String kind, String name) {
    return Candor.open(TestDatabases.config(kind, dir.resolve(kind + "-" + name)), CLOCK);
  }

  // ------------------------------------------------------------------ brute force

  private static @Nullable Long shown(long people, long value) {
    return people >= UsageAnalytics.K ? value : null;
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static long activeIn(RollupFixture f, String feature, long a, long b) {
    return f.activeDays(feature).values().stream()
        .filter(days -> !days.subSet(a, true, b, true).isEmpty())
        .count();
  }

  static ActiveUsers bruteActive(RollupFixture f, long from, long to, Window w) {
    List<ActivePoint> points = new ArrayList<>();
    for (long d = from; d <= to; d++) {
      long users = activeIn(f, "*", d - w.days() + 1, d);
      long dau = activeIn(f, "*", d, d);
      long mau = activeIn(f, "*", d - 29, d);
      Long u = shown(users, users);
      Double stickiness = dau >= UsageAnalytics.K ? round((double) dau / mau, 4) : null;
      points.add(
          new ActivePoint(
              LocalDate.ofEpochDay(d).toString(), u, stickiness, u == null || stickiness == null));
    }
    return new ActiveUsers(w.id(), points);
  }

  static Sessions bruteSessions(RollupFixture f, long from, long to) {
    long people = activeIn(f, "*", from, to);
    if (people < UsageAnalytics.K) {
      return new Sessions(null, null, null, null, true);
    }
    List<Long> durations = new ArrayList<>();
    f.sessions.stream()
        .filter(s -> s.day() >= from && s.day() <= to)
        .forEach(s -> durations.add(s.seconds()));
    durations.sort(Comparator.naturalOrder());
    int n = durations.size();
    if (n == 0) {
      return new Sessions(0L, null, null, 0.0, false);
    }
    long median = durations.get((int) Math.ceil(0.5 * n) - 1);
    long p90 = durations.get((int) Math.ceil(0.9 * n) - 1);
    return new Sessions(
        (long) n,
        UsageAnalytics.bucketSeconds(UsageAnalytics.bucket(median)),
        UsageAnalytics.bucketSeconds(UsageAnalytics.bucket(p90)),
        round((double) n / people, 2),
        false);
  }

  static Features bruteFeatures(RollupFixture f, long from, long to, int limit) {
    Map<String, Long> uses = new HashMap<>();
    for (RollupFixture.Use u : f.uses) {
      if (u.day() >= from && u.day() <= to) {
        uses.merge(u.feature(), u.uses(), Long::sum);
      }
    }
    List<String> top =
        uses.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .filter(e -> activeIn(f, e.getKey(), from, to) >= UsageAnalytics.K)
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(limit)
            .map(Map.Entry::getKey)
            .toList();
    List<FeatureUsage> shown = new ArrayList<>();
    for (String name : top) {
      long people = activeIn(f, name, from, to);
      List<DailyUses> daily = new ArrayList<>();
      for (long d = from; d <= to; d++) {
        long day = d;
        long dayUses =
            f.uses.stream()
                .filter(u -> u.feature().equals(name) && u.day() == day)
                .mapToLong(RollupFixture.Use::uses)
                .sum();
        boolean small = activeIn(f, name, d, d) < UsageAnalytics.K;
        daily.add(new DailyUses(LocalDate.ofEpochDay(d).toString(), small ? null : dayUses, small));
      }
      shown.add(new FeatureUsage(name, uses.get(name), people, false, daily));
    }
    return new Features(shown);
  }

  static Retention bruteRetention(RollupFixture f, long from, long to, long today) {
    long current = UsageAnalytics.week(today);
    Map<String, Set<Long>> weeks = new HashMap<>();
    f.activeDays("*")
        .forEach(
            (p, days) -> {
              Set<Long> w = new HashSet<>();
              days.forEach(d -> w.add(UsageAnalytics.week(d)));
              weeks.put(p, w);
            });
    List<Cohort> cohorts = new ArrayList<>();
    for (long w = UsageAnalytics.week(from) - 1; w <= current; w++) {
      long start = 7 * w - 3;
      if (start < from || start > to) {
        continue;
      }
      long cohortWeek = w;
      List<Set<Long>> members =
          weeks.values().stream()
              .filter(s -> s.stream().mapToLong(Long::longValue).min().orElse(-1) == cohortWeek)
              .toList();
      long size = members.size();
      List<@Nullable Long> retained = new ArrayList<>();
      boolean suppressed = size < UsageAnalytics.K;
      for (long k = 0; k <= Math.min(current - w, UsageAnalytics.MAX_RETENTION_WEEKS); k++) {
        long week = w + k;
        long people = members.stream().filter(s -> s.contains(week)).count();
        boolean small = size < UsageAnalytics.K || people < UsageAnalytics.K;
        retained.add(small ? null : people);
        suppressed |= small;
      }
      cohorts.add(
          new Cohort(
              LocalDate.ofEpochDay(start).toString(),
              size < UsageAnalytics.K ? null : size,
              suppressed,
              retained));
    }
    return new Retention("week", cohorts);
  }

  // ------------------------------------------------------------------ tests

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void every_query_matches_brute_force_over_the_raw_activity(String kind) {
    RollupFixture f = realistic();
    try (Candor candor = open(kind, "realistic")) {
      f.load(candor.database());
      UsageAnalytics analytics = candor.usageAnalytics();

      List<long[]> ranges =
          List.of(
              new long[] {B, B + 30},
              new long[] {B - 45, B + 75},
              new long[] {B + 10, B + 10},
              new long[] {B - 3, B + 61},
              new long[] {B + 70, B + 80});
      for (long[] r : ranges) {
        LocalDate from = LocalDate.ofEpochDay(r[0]);
        LocalDate to = LocalDate.ofEpochDay(r[1]);
        for (Window w : Window.values()) {
          assertThat(analytics.activeUsers(from, to, w))
              .as("active users %s %s..%s", w, from, to)
              .isEqualTo(bruteActive(f, r[0], r[1], w));
        }
        assertThat(analytics.sessions(from, to))
            .as("sessions %s..%s", from, to)
            .isEqualTo(bruteSessions(f, r[0], r[1]));
        for (int limit : new int[] {1, 3, 100}) {
          assertThat(analytics.features(from, to, limit))
              .as("features %s..%s limit %d", from, to, limit)
              .isEqualTo(bruteFeatures(f, r[0], r[1], limit));
        }
        assertThat(analytics.retention(from, to))
            .as("retention %s..%s", from, to)
            .isEqualTo(bruteRetention(f, r[0], r[1], CLOCK.millis() / 86_400_000L));
      }

      // The data set exercises both sides of the threshold.
      ActiveUsers daily = analytics.activeUsers(BASE.minusDays(45), BASE.plusDays(75), Window.DAY);
      assertThat(daily.points()).anyMatch(ActivePoint::suppressed);
      assertThat(daily.points()).anyMatch(p -> !p.suppressed());
      Features features = analytics.features(BASE.minusDays(45), BASE.plusDays(75), 100);
      // "rare" (used by 4 people) is never named; "ads", with more people, is.
      assertThat(features.features())
          .extracting(FeatureUsage::name)
          .contains("ads")
          .doesNotContain("rare");
      assertThat(f.uses.stream().filter(u -> u.feature().equals("rare")).count()).isPositive();
      assertThat(features.features()).allMatch(u -> !u.suppressed());
      Retention retention = analytics.retention(BASE.minusDays(45), BASE.plusDays(75));
      assertThat(retention.cohorts()).anyMatch(c -> c.size() != null);
      assertThat(retention.cohorts()).anyMatch(Cohort::suppressed);
      assertThat(retention.cohorts().get(retention.cohorts().size() - 1).start())
          .isEqualTo(BASE.plusWeeks(9).toString());
      assertThat(analytics.sessions(BASE, BASE.plusDays(30)).count()).isPositive();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void nine_people_are_suppressed_and_ten_are_shown(String kind) {
    RollupFixture f = new RollupFixture();
    // Day B: 9 people; day B+1: 10 people; all in the cohort of BASE's week.
    for (int i = 0; i < 10; i++) {
      if (i < 9) {
        f.use("p" + i, "chat", B, 2).session("p" + i, B, 120);
      }
      f.use("p" + i, "chat", B + 1, 1).session("p" + i, B + 1, 30);
    }
    // The week after: 9 of them come back, with 9 newcomers of their own.
    for (int i = 0; i < 9; i++) {
      f.use("p" + i, "pay", B + 7, 1);
      f.use("n" + i, "pay", B + 8, 1);
    }
    try (Candor candor = open(kind, "threshold")) {
      f.load(candor.database());
      UsageAnalytics analytics = candor.usageAnalytics();
      LocalDate d0 = BASE;
      LocalDate d1 = BASE.plusDays(1);

      ActiveUsers day = analytics.activeUsers(d0, d1, Window.DAY);
      assertThat(day.points())
          .containsExactly(
              new ActivePoint(d0.toString(), null, null, true),
              new ActivePoint(d1.toString(), 10L, 1.0, false));
      ActiveUsers month = analytics.activeUsers(d0, d0, Window.MONTH);
      assertThat(month.points()).containsExactly(new ActivePoint(d0.toString(), null, null, true));

      assertThat(analytics.sessions(d0, d0)).isEqualTo(new Sessions(null, null, null, null, true));
      long twoMinutes = UsageAnalytics.bucketSeconds(UsageAnalytics.bucket(120));
      assertThat(twoMinutes).isBetween(117L, 123L);
      assertThat(analytics.sessions(d0, d1))
          .isEqualTo(new Sessions(19L, 30L, twoMinutes, 1.9, false));

      Features features = analytics.features(d0, d1, 10);
      assertThat(features.features())
          .containsExactly(
              new FeatureUsage(
                  "chat",
                  28L,
                  10L,
                  false,
                  List.of(
                      new DailyUses(d0.toString(), null, true),
                      new DailyUses(d1.toString(), 10L, false))));
      // Nine people used "pay" that day: not even its name is shown.
      assertThat(analytics.features(BASE.plusDays(7), BASE.plusDays(7), 10).features()).isEmpty();

      Retention retention = analytics.retention(d0, BASE.plusDays(13));
      List<@Nullable Long> first = new ArrayList<>();
      first.add(10L);
      first.add(null); // 9 came back
      for (int k = 2; k <= 9; k++) {
        first.add(null); // nobody
      }
      List<@Nullable Long> second = new ArrayList<>();
      for (int k = 0; k <= 8; k++) {
        second.add(null);
      }
      assertThat(retention)
          .isEqualTo(
              new Retention(
                  "week",
                  List.of(
                      new Cohort(d0.toString(), 10L, true, first),
                      new Cohort(BASE.plusWeeks(1).toString(), null, true, second))));
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void top_features_name_only_features_ten_people_used_however_many_rarer_ones_rank_above(
      String kind) {
    RollupFixture f = new RollupFixture();
    // 120 features of one person each, each used more often than any popular one: more than two
    // pages of candidates to look past.
    for (int i = 0; i < 120; i++) {
      f.use("loner" + i, String.format("solo-%03d", i), B, 1_000);
    }
    // Three features that 10, 11 and 12 people used, a few times each.
    for (int i = 0; i < 12; i++) {
      f.use("p" + i, "popular-c", B, 1);
      if (i < 11) {
        f.use("p" + i, "popular-b", B, 2);
      }
      if (i < 10) {
        f.use("p" + i, "popular-a", B, 3);
      }
    }
    // Nine people, even more often: still not named.
    for (int i = 0; i < 9; i++) {
      f.use("p" + i, "nine", B, 50);
    }
    try (Candor candor = open(kind, "pages")) {
      f.load(candor.database());
      UsageAnalytics analytics = candor.usageAnalytics();
      assertThat(analytics.features(BASE, BASE, 2).features())
          .extracting(FeatureUsage::name, FeatureUsage::uses, FeatureUsage::people)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("popular-a", 30L, 10L),
              org.assertj.core.groups.Tuple.tuple("popular-b", 22L, 11L));
      assertThat(analytics.features(BASE, BASE, 100).features())
          .extracting(FeatureUsage::name)
          .containsExactly("popular-a", "popular-b", "popular-c");
      for (int limit : new int[] {1, 2, 3, 50, 100}) {
        assertThat(analytics.features(BASE, BASE, limit)).isEqualTo(bruteFeatures(f, B, B, limit));
      }
    }
  }

  @Test
  void the_json_has_the_contract_shapes_with_nulls_and_suppressed_flags() throws Exception {
    JsonNode point =
        Json.mapper()
            .valueToTree(
                new ActiveUsers("day", List.of(new ActivePoint("2025-01-06", null, null, true))));
    assertThat(point.toString())
        .isEqualTo(
            "{\"window\":\"day\",\"points\":[{\"date\":\"2025-01-06\",\"users\":null,"
                + "\"stickiness\":null,\"suppressed\":true}]}");
    assertThat(Json.mapper().writeValueAsString(new Sessions(12L, 30L, 600L, 1.5, false)))
        .isEqualTo(
            "{\"count\":12,\"medianSeconds\":30,\"p90Seconds\":600,\"sessionsPerPerson\":1.5,"
                + "\"suppressed\":false}");
    assertThat(
            Json.mapper()
                .writeValueAsString(
                    new Features(
                        List.of(
                            new FeatureUsage(
                                "chat",
                                20L,
                                11L,
                                false,
                                List.of(new DailyUses("2025-01-06", null, true)))))))
        .isEqualTo(
            "{\"features\":[{\"name\":\"chat\",\"uses\":20,\"people\":11,\"suppressed\":false,"
                + "\"daily\":[{\"date\":\"2025-01-06\",\"uses\":null,\"suppressed\":true}]}]}");
    List<@Nullable Long> retained = new ArrayList<>();
    retained.add(12L);
    retained.add(null);
    assertThat(
            Json.mapper()
                .writeValueAsString(
                    new Retention("week", List.of(new Cohort("2025-01-06", 12L, true, retained)))))
        .isEqualTo(
            "{\"period\":\"week\",\"cohorts\":[{\"start\":\"2025-01-06\",\"size\":12,"
                + "\"suppressed\":true,\"retained\":[12,null]}]}");
  }

  @Test
  void buckets_are_exact_under_a_minute_then_five_percent_wide() {
    for (long s = 0; s < 60; s++) {
      assertThat(UsageAnalytics.bucket(s)).isEqualTo((int) s);
      assertThat(UsageAnalytics.bucketSeconds((int) s)).isEqualTo(s);
    }
    assertThat(UsageAnalytics.bucket(-5)).isZero();
    assertThat(UsageAnalytics.bucket(60)).isEqualTo(60);
    assertThat(UsageAnalytics.bucket(62)).isEqualTo(60);
    assertThat(UsageAnalytics.bucket(64)).isEqualTo(61);
    int previous = 0;
    for (long s = 0; s <= 2 * 86_400; s++) {
      int b = UsageAnalytics.bucket(s);
      assertThat(b).isBetween(previous, previous + 1);
      previous = b;
      if (s >= 60) {
        double error = Math.abs(UsageAnalytics.bucketSeconds(b) - s) / (double) s;
        assertThat(error)
            .as("error at %d s", s)
            .isLessThanOrEqualTo(Math.sqrt(1.05) - 1 + 0.5 / s + 1e-9);
      }
    }
    assertThat(UsageAnalytics.bucket(86_400)).isLessThan(220);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void an_empty_database_answers_with_suppressed_numbers_and_bad_ranges_are_refused(String kind) {
    try (Candor candor = open(kind, "empty")) {
      UsageAnalytics analytics = candor.usageAnalytics();
      LocalDate epoch = LocalDate.EPOCH;
      ActiveUsers early = analytics.activeUsers(epoch, epoch.plusDays(2), Window.MONTH);
      assertThat(early.points()).hasSize(3).allMatch(p -> p.suppressed() && p.users() == null);
      assertThat(analytics.sessions(BASE, BASE))
          .isEqualTo(new Sessions(null, null, null, null, true));
      assertThat(analytics.features(BASE, BASE, 5).features()).isEmpty();
      assertThat(analytics.retention(BASE, BASE.plusDays(6)).cohorts())
          .singleElement()
          .satisfies(c -> assertThat(c.size()).isNull());
      // A range in the future has no cohorts yet.
      assertThat(analytics.retention(BASE.plusYears(1), BASE.plusYears(1).plusDays(30)).cohorts())
          .isEmpty();

      assertThatThrownBy(() -> analytics.sessions(BASE, BASE.minusDays(1)))
          .isInstanceOf(CandorException.class);
      assertThatThrownBy(() -> analytics.sessions(BASE, BASE.plusDays(400)))
          .isInstanceOf(CandorException.class);
      assertThat(analytics.sessions(BASE, BASE.plusDays(399)).suppressed()).isTrue();
      assertThatThrownBy(() -> analytics.features(BASE, BASE, 0))
          .isInstanceOf(CandorException.class);
      assertThatThrownBy(() -> analytics.activeUsers(epoch.minusDays(1), epoch, Window.DAY))
          .isInstanceOf(CandorException.class);
    }
  }

  /**
   * Rollups at the scale of about 10 million events (50,000 people, 30 features, 120 days, or more
   * with CANDOR_ANALYTICS_SCALE=days): each query stays well under 200 ms. Opt-in, as loading the
   * rows takes a while: set CANDOR_ANALYTICS_SCALE.
   */
  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(
      named = "CANDOR_ANALYTICS_SCALE",
      matches = ".+")
  void queries_stay_fast_over_rollups_of_ten_million_events(String kind) {
    String env = System.getenv("CANDOR_ANALYTICS_SCALE");
    int days = env != null && env.matches("\\d{2,3}") ? Integer.parseInt(env) : 120;
    int people = 50_000;
    int features = 30;
    long last = B + 60;
    long firstDay = last - days + 1;
    Random random = new Random(7);
    Map<List<Object>, Long> gaps = new HashMap<>();
    Map<List<Object>, Long> featureDays = new HashMap<>();
    Map<List<Object>, Long> cohorts = new HashMap<>();
    Map<List<Object>, Long> hist = new HashMap<>();
    long events = 0;
    long[] lastSeen = new long[features + 1];
    for (int p = 0; p < people; p++) {
      double level = 0.05 + 0.6 * random.nextDouble() * random.nextDouble();
      long start = firstDay + random.nextInt(days);
      long end = Math.min(last, start + 7 + random.nextInt(days));
      java.util.Arrays.fill(lastSeen, -1);
      long cohort = -1;
      long lastWeek = -1;
      for (long d = start; d <= end; d++) {
        if (random.nextDouble() >= level) {
          continue;
        }
        int n = 1 + random.nextInt(4);
        for (int k = 0; k < n; k++) {
          // Zipf-ish popularity: feature 0 most used.
          int fi =
              (int)
                  Math.min(features - 1, Math.floor(Math.pow(random.nextDouble(), 2.5) * features));
          String name = "feature-" + fi;
          long uses = 1 + random.nextInt(17);
          events += uses;
          featureDays.merge(List.of(name, d), uses, Long::sum);
          featureDays.merge(List.of("*", d), uses, Long::sum);
          if (lastSeen[fi] != d) {
            gaps.merge(List.of(name, d, lastSeen[fi]), 1L, Long::sum);
            lastSeen[fi] = d;
          }
        }
        gaps.merge(List.of("*", d, lastSeen[features]), 1L, Long::sum);
        lastSeen[features] = d;
        long week = UsageAnalytics.week(d);
        if (cohort < 0) {
          cohort = week;
        }
        if (week != lastWeek) {
          cohorts.merge(List.of(cohort, week), 1L, Long::sum);
          lastWeek = week;
        }
        int sessions = 1 + random.nextInt(3);
        for (int s = 0; s < sessions; s++) {
          long seconds = (long) (5 * Math.exp(random.nextDouble() * Math.log(17_280)));
          hist.merge(List.of(d, (long) UsageAnalytics.bucket(seconds)), 1L, Long::sum);
        }
      }
    }
    try (Candor candor = open(kind, "scale")) {
      candor
          .database()
          .useTransaction(
              h -> {
                load(
                    h,
                    "INSERT INTO usage_gaps (feature, day, prev_day, people) VALUES (?, ?, ?, ?)",
                    gaps);
                load(
                    h,
                    "INSERT INTO usage_feature_days (feature, day, uses) VALUES (?, ?, ?)",
                    featureDays);
                load(
                    h,
                    "INSERT INTO usage_cohorts (cohort_week, week, people) VALUES (?, ?, ?)",
                    cohorts);
                load(
                    h,
                    "INSERT INTO usage_session_hist (day, bucket, sessions) VALUES (?, ?, ?)",
                    hist);
              });
      if (kind.equals(TestDatabases.POSTGRESQL)) {
        candor.database().useTransaction(h -> h.execute("ANALYZE"));
      }
      UsageAnalytics analytics = candor.usageAnalytics();
      LocalDate to = LocalDate.ofEpochDay(last);
      LocalDate from90 = to.minusDays(89);
      Map<String, Runnable> queries = new java.util.LinkedHashMap<>();
      queries.put("DAU 90 days", () -> analytics.activeUsers(from90, to, Window.DAY));
      queries.put("WAU 90 days", () -> analytics.activeUsers(from90, to, Window.WEEK));
      queries.put("MAU 90 days", () -> analytics.activeUsers(from90, to, Window.MONTH));
      queries.put("sessions 90 days", () -> analytics.sessions(from90, to));
      queries.put("features top 10, 90 days", () -> analytics.features(from90, to, 10));
      queries.put("features top 100, 90 days", () -> analytics.features(from90, to, 100));
      queries.put("retention 12 weeks", () -> analytics.retention(to.minusWeeks(12), to));
      queries.put(
          "MAU " + Math.min(days, 400) + " days",
          () -> analytics.activeUsers(to.minusDays(Math.min(days, 400) - 1), to, Window.MONTH));
      System.out.printf(
          "[%s] %,d events, %,d people, %d days: %,d gap rows, %,d feature-day rows%n",
          kind, events, people, days, gaps.size(), featureDays.size());
      for (Map.Entry<String, Runnable> q : queries.entrySet()) {
        q.getValue().run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
          long t0 = System.nanoTime();
          q.getValue().run();
          best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("[%s] %-28s %6.1f ms%n", kind, q.getKey(), best / 1e6);
        assertThat(best / 1_000_000).as(q.getKey()).isLessThan(200);
      }
    }
  }

  private static void load(org.jdbi.v3.core.Handle h, String sql, Map<List<Object>, Long> rows) {
    org.jdbi.v3.core.statement.PreparedBatch batch = h.prepareBatch(sql);
    int pending = 0;
    for (Map.Entry<List<Object>, Long> e : rows.entrySet()) {
      for (int i = 0; i < e.getKey().size(); i++) {
        batch.bind(i, e.getKey().get(i));
      }
      batch.bind(e.getKey().size(), e.getValue());
      batch.add();
      if (++pending == 5_000) {
        batch.execute();
        batch = h.prepareBatch(sql);
        pending = 0;
      }
    }
    if (pending > 0) {
      batch.execute();
    }
  }

  /** Checks the brute force itself on a case small enough to count by hand. */
  @Test
  void the_fixture_derives_gap_rows_as_the_schema_describes() {
    RollupFixture f = new RollupFixture().use("a", "chat", 5, 1).use("a", "chat", 12, 2);
    f.use("a", "pay", 12, 1).use("b", "pay", 12, 1);
    assertThat(f.gaps())
        .containsOnly(
            Map.entry(List.<Object>of("chat", 5L, -1L), 1L),
            Map.entry(List.<Object>of("chat", 12L, 5L), 1L),
            Map.entry(List.<Object>of("pay", 12L, -1L), 2L),
            Map.entry(List.<Object>of("*", 5L, -1L), 1L),
            Map.entry(List.<Object>of("*", 12L, 5L), 1L),
            Map.entry(List.<Object>of("*", 12L, -1L), 1L));
    // Day 5 is in week 1 (Monday = day 4), day 12 in week 2.
    assertThat(UsageAnalytics.week(5)).isEqualTo(1);
    assertThat(UsageAnalytics.week(12)).isEqualTo(2);
    assertThat(f.cohorts())
        .containsOnly(
            Map.entry(List.<Object>of(1L, 1L), 1L),
            Map.entry(List.<Object>of(1L, 2L), 1L),
            Map.entry(List.<Object>of(2L, 2L), 1L));
    assertThat(f.featureDays())
        .containsOnly(
            Map.entry(List.<Object>of("chat", 5L), 1L),
            Map.entry(List.<Object>of("chat", 12L), 2L),
            Map.entry(List.<Object>of("pay", 12L), 2L),
            Map.entry(List.<Object>of("*", 5L), 1L),
            Map.entry(List.<Object>of("*", 12L), 4L));
    assertThat(new TreeSet<>(f.activeDays("*").keySet())).containsExactly("a", "b");
  }
}
