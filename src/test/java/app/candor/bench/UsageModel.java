package app.candor.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A synthetic but realistic population's app usage, day by day, reproducible from a seed: daily,
 * regular and occasional users; a third already there when the period starts and the rest signing
 * up over it (more active in their first week); churn; more use at weekends; each person's
 * favourite features on top of a Zipf popularity; sessions that start around each person's usual
 * hour, open with session_start, hold a few feature events seconds to minutes apart and close with
 * session_end. Sessions of a person are at least 31 minutes apart, so explicit and inferred
 * (30-minute inactivity) sessions coincide.
 */
final class UsageModel {
  static final byte FEATURE = 0;
  static final byte START = 1;
  static final byte END = 2;

  /** One event: a person (index), when, what kind and which feature. */
  record Ev(int person, long at, byte kind, byte feature) {}

  private static final long DAY = 86_400_000L;
  private static final long MINUTE = 60_000L;
  // Per kind of user: daily, regular, occasional.
  private static final double[] SHARE = {0.20, 0.35, 0.45};
  private static final double[] ACTIVE = {0.80, 0.40, 0.10};
  private static final double[] EXTRA_SESSIONS = {1.2, 0.5, 0.15};
  private static final double[] LIFETIME_DAYS = {150, 50, 20};

  final int people;
  final int days;
  final long firstEpochDay;
  private final long seed;
  private final byte[] kind;
  private final int[] from;
  private final int[] until;
  private final boolean[] newcomer;
  private final int[] peakMinute;
  private final byte[][] favourites;
  private final long[] lastEnd;

  UsageModel(int people, int days, long lastEpochDay, long seed) {
    this.people = people;
    this.days = days;
    this.firstEpochDay = lastEpochDay - days + 1;
    this.seed = seed;
    this.kind = new byte[people];
    this.from = new int[people];
    this.until = new int[people];
    this.newcomer = new boolean[people];
    this.peakMinute = new int[people];
    this.favourites = new byte[people][3];
    this.lastEnd = new long[people];
    Random r = new Random(seed);
    for (int p = 0; p < people; p++) {
      double u = r.nextDouble();
      kind[p] = (byte) (u < SHARE[0] ? 0 : u < SHARE[0] + SHARE[1] ? 1 : 2);
      newcomer[p] = r.nextDouble() >= 0.35;
      from[p] = newcomer[p] ? r.nextInt(days) : 0;
      until[p] =
          r.nextDouble() < 0.2
              ? Integer.MAX_VALUE
              : from[p] + 1 + (int) (-Math.log(1 - r.nextDouble()) * LIFETIME_DAYS[kind[p]]);
      // Evenings are busiest: the usual hour is around 19:00 UTC, give or take three hours.
      peakMinute[p] = (int) Math.floorMod(Math.round(19 * 60 + r.nextGaussian() * 180), 1440);
      for (int i = 0; i < 3; i++) {
        favourites[p][i] = (byte) Features.pick(r);
      }
    }
  }

  private Random plan(int t) {
    return new Random(seed * 1_000_003L + t);
  }

  private Random detail(int t) {
    return new Random(seed * 7_000_009L + t + 17);
  }

  /** Sessions person {@code p} starts on day {@code t}: 0 when not active that day. */
  private int sessions(int p, int t, Random plan) {
    if (t < from[p] || t >= until[p]) {
      return 0;
    }
    int k = kind[p];
    double prob = ACTIVE[k];
    if (newcomer[p]) {
      if (t == from[p]) {
        prob = 1;
      } else {
        prob *= 1 + Math.exp(-(t - from[p]) / 7.0);
      }
    }
    int dow = (int) Math.floorMod(firstEpochDay + t + 3, 7); // 0 = Monday
    if (dow >= 5) {
      prob *= 1.15;
    }
    prob = Math.min(prob, t == from[p] && newcomer[p] ? 1 : 0.97);
    if (plan.nextDouble() >= prob) {
      return 0;
    }
    return 1 + poisson(EXTRA_SESSIONS[k], plan);
  }

  private static int poisson(double lambda, Random r) {
    double l = Math.exp(-lambda);
    int k = 0;
    double p = r.nextDouble();
    while (p > l) {
      k++;
      p *= r.nextDouble();
    }
    return k;
  }

  /** Sessions over the whole period (the plan alone; cheap). */
  long totalSessions() {
    long total = 0;
    for (int t = 0; t < days; t++) {
      Random plan = plan(t);
      for (int p = 0; p < people; p++) {
        total += sessions(p, t, plan);
      }
    }
    return total;
  }

  /** Resets per-person state, so the same events can be produced again from day 0. */
  void rewind() {
    Arrays.fill(lastEnd, 0);
  }

  /**
   * The events of sessions starting on day {@code t}, in time order, with on average {@code
   * featuresPerSession} feature events per session; nothing at or after {@code cutoff}.
   */
  List<Ev> day(int t, double featuresPerSession, long cutoff) {
    Random plan = plan(t);
    Random rnd = detail(t);
    List<Ev> out = new ArrayList<>(200_000);
    long dayStart = (firstEpochDay + t) * DAY;
    double q = 1.0 / Math.max(1.0, featuresPerSession);
    long[] starts = new long[16];
    for (int p = 0; p < people; p++) {
      int s = sessions(p, t, plan);
      if (s == 0) {
        continue;
      }
      if (starts.length < s) {
        starts = new long[s];
      }
      for (int i = 0; i < s; i++) {
        long minute = Math.floorMod(Math.round(peakMinute[p] + rnd.nextGaussian() * 150), 1440);
        starts[i] = dayStart + minute * MINUTE + rnd.nextInt(60_000);
      }
      Arrays.sort(starts, 0, s);
      for (int i = 0; i < s; i++) {
        long at = Math.max(starts[i], lastEnd[p] + 31 * MINUTE);
        if (at >= cutoff - DAY / 24) {
          break;
        }
        out.add(new Ev(p, at, START, (byte) 0));
        // 1 + geometric: mean featuresPerSession.
        int features =
            1 + (int) Math.floor(Math.log(1 - rnd.nextDouble()) / Math.log(1 - q + 1e-12));
        if (q >= 1) {
          features = 1;
        }
        for (int f = 0; f < features; f++) {
          at += Math.min(20 * MINUTE, 1000 + (long) (-Math.log(1 - rnd.nextDouble()) * 40_000));
          int feature =
              rnd.nextDouble() < 0.55 ? favourites[p][rnd.nextInt(3)] : Features.pick(rnd);
          out.add(new Ev(p, at, FEATURE, (byte) feature));
        }
        at += 1000 + rnd.nextInt(30_000);
        out.add(new Ev(p, at, END, (byte) 0));
        lastEnd[p] = at;
      }
    }
    out.sort(Comparator.comparingLong(Ev::at));
    return out;
  }

  static String type(Ev e) {
    return switch (e.kind()) {
      case START -> "session_start";
      case END -> "session_end";
      default -> Features.type(e.feature());
    };
  }

  static String name(Ev e) {
    return switch (e.kind()) {
      case START -> "session_start";
      case END -> "session_end";
      default -> Features.NAMES[e.feature()];
    };
  }

  static String service(Ev e) {
    return e.kind() == FEATURE ? Features.service(e.feature()) : "app";
  }
}
