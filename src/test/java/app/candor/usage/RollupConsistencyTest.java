package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollups the writer maintains equal, row for row, what a brute force computes from the raw
 * events stored, for a seeded random workload sent out of order, with duplicates, from several
 * clients at once; and still after people are erased, after the retention purge, and after more
 * (also late) events arrive for people whose oldest history was purged. On both databases. Another
 * seed: {@code -Dcandor.test.seed=...}.
 */
class RollupConsistencyTest {
  /** A Wednesday afternoon. */
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  static final long DAY = UsageBruteForce.DAY;
  static final long MINUTE = 60_000L;
  static final List<String> FEATURES =
      List.of("chat.send", "chat.open", "pay/transfer", "maps:search", "moments view", "mini-1");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** Generates people's events: daily visits, as inferred or explicit sessions, in time order. */
  static final class Workload {
    final Random random;
    final List<ObjectNode> events = new ArrayList<>();
    private final Set<String> used = new HashSet<>();
    private final String prefix;
    private int counter;

    Workload(long seed, String prefix) {
      this.random = new Random(seed);
      this.prefix = prefix;
    }

    /** A pause between two events: mostly short, sometimes right around the 30 minute gap. */
    long step() {
      if (random.nextInt(20) < 13) {
        return MINUTE + random.nextInt(12 * 60) * 1000L;
      }
      long[] around = {
        30 * MINUTE - 1,
        30 * MINUTE,
        30 * MINUTE + 1,
        29 * MINUTE,
        31 * MINUTE,
        45 * MINUTE,
        2 * 60 * MINUTE,
        9 * 60 * MINUTE
      };
      return around[random.nextInt(around.length)];
    }

    void add(String person, String type, String name, long at, long from, long to) {
      if (at < from || at > to) {
        return;
      }
      // One event per person and millisecond: the order of a person's events is then total.
      while (!used.add(person + "@" + at)) {
        at++;
      }
      events.add(UsageWorld.event(person, prefix + (counter++), type, name, at));
    }

    String feature() {
      // A few features are popular.
      double x = random.nextDouble();
      return FEATURES.get((int) Math.floor(FEATURES.size() * x * x));
    }

    /** Visits on a share {@code level} of the days in [from, to]. */
    void person(String person, long from, long to, double level) {
      for (long d = Math.floorDiv(from, DAY); d <= Math.floorDiv(to, DAY); d++) {
        if (random.nextDouble() >= level) {
          continue;
        }
        int visits = 1 + random.nextInt(3);
        for (int v = 0; v < visits; v++) {
          long t = d * DAY + 6 * 3_600_000L + (long) (random.nextDouble() * 18 * 3_600_000L);
          int kind = random.nextInt(20);
          boolean explicit = kind >= 12 && kind <= 18;
          boolean ends = (kind >= 12 && kind <= 16) || kind == 19;
          if (explicit) {
            add(person, "session_start", random.nextBoolean() ? null : "app", t, from, to);
          }
          int n = 1 + random.nextInt(9);
          for (int i = 0; i < n; i++) {
            t += step();
            add(person, random.nextInt(4) == 0 ? "screen" : "track", feature(), t, from, to);
          }
          if (ends) {
            t += step();
            add(person, "session_end", null, t, from, to);
          }
        }
      }
    }

    /** More than a day of activity without a 30 minute pause: the 24 hour cap splits it. */
    void marathon(String person, long start, long from, long to) {
      long t = start;
      while (t < start + 31 * 3_600_000L) {
        add(person, "track", feature(), t, from, to);
        t += (10 + random.nextInt(19)) * MINUTE + random.nextInt(1000);
      }
    }

    /** The events to send: every event, some twice or three times, all shuffled. */
    List<ObjectNode> sends() {
      List<ObjectNode> out = new ArrayList<>(events);
      for (ObjectNode e : events) {
        int r = random.nextInt(100);
        if (r < 8) {
          out.add(e.deepCopy());
        }
        if (r < 2) {
          out.add(e.deepCopy());
        }
      }
      Collections.shuffle(out, random);
      return out;
    }
  }

  /**
   * Sends {@code events} in random batches of 1 to 250 from four clients at once; returns the
   * accepted, duplicate and dropped totals.
   */
  static long[] sendConcurrently(UsageWorld w, List<ObjectNode> events, Random random)
      throws Exception {
    List<List<ObjectNode>> batches = new ArrayList<>();
    for (int i = 0; i < events.size(); ) {
      int n = 1 + random.nextInt(250);
      batches.add(events.subList(i, Math.min(events.size(), i + n)));
      i += n;
    }
    AtomicLong accepted = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<ObjectNode> batch : batches) {
        done.add(
            pool.submit(
                () -> {
                  JsonNode o = w.send(batch);
                  accepted.addAndGet(o.get("accepted").asLong());
                  duplicates.addAndGet(o.get("duplicates").asLong());
                  dropped.addAndGet(o.get("droppedNoConsent").asLong());
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new long[] {accepted.get(), duplicates.get(), dropped.get()};
  }

  private static long uniqueOf(List<ObjectNode> sends, Set<String> people) {
    Set<String> ids = new HashSet<>();
    for (ObjectNode e : sends) {
      if (people.contains(e.get("userId").asText())) {
        ids.add(e.get("userId").asText() + "/" + e.get("messageId").asText());
      }
    }
    return ids.size();
  }

  private static long sendsOf(List<ObjectNode> sends, Set<String> people) {
    return sends.stream().filter(e -> people.contains(e.get("userId").asText())).count();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_rollups_equal_a_brute_force_over_the_raw_events_through_erasure_and_retention(
      String kind) throws Exception {
    long seed = Long.getLong("candor.test.seed", 2026);
    Random random = new Random(seed);
    UsageBruteForce brute = UsageBruteForce.defaults();
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> consenting = new ArrayList<>();
      for (int i = 0; i < 11; i++) {
        consenting.add(w.person(true));
      }
      List<String> refusing = List.of(w.person(false), w.person(false));

      // 1. Ten weeks of activity, sent shuffled and partly twice, from four clients.
      Workload load = new Workload(seed + 1, "m");
      long from = NOW.toEpochMilli() - 70 * DAY;
      long to = NOW.toEpochMilli();
      double[] levels = {0.9, 0.6, 0.35, 0.15, 0.05};
      for (int i = 0; i < consenting.size(); i++) {
        load.person(consenting.get(i), from, to, levels[i % levels.length]);
      }
      load.marathon(consenting.get(0), to - 20 * DAY + 5 * 3_600_000L, from, to);
      load.marathon(consenting.get(3), to - 50 * DAY + 22 * 3_600_000L, from, to);
      // Activity across the midnight where the retention purge below will cut.
      long cut = Math.floorDiv(to - 35 * DAY + 7 * 3_600_000L, DAY) * DAY;
      load.marathon(consenting.get(1), cut - 4 * 3_600_000L, from, to);
      for (String p : refusing) {
        load.person(p, from, to, 0.5);
      }
      List<ObjectNode> sends = load.sends();
      long[] outcome = sendConcurrently(w, sends, random);
      Set<String> yes = new HashSet<>(consenting);
      assertThat(outcome[0]).as("accepted").isEqualTo(uniqueOf(sends, yes));
      assertThat(outcome[1]).as("duplicates").isEqualTo(sendsOf(sends, yes) - uniqueOf(sends, yes));
      assertThat(outcome[2]).as("dropped").isEqualTo(sendsOf(sends, new HashSet<>(refusing)));

      List<UsageBruteForce.Raw> raw =
          brute.assertConsistent(w.db(), "after ingestion", random, 400);
      assertThat(raw).hasSize((int) uniqueOf(sends, yes));

      // 2. Three people are erased: the rollups are those of the others.
      for (String gone : consenting.subList(8, 11)) {
        w.erase(gone);
        for (String table : List.of("usage_events", "usage_sessions", "usage_person_days")) {
          assertThat(w.count("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?", gone))
              .as("%s rows of an erased person", table)
              .isZero();
        }
      }
      List<String> remaining = new ArrayList<>(consenting.subList(0, 8));
      brute.assertConsistent(w.db(), "after erasure", random, 400);

      // 3. A year later, the retention purge cuts through the middle of the data (mid-day and
      // mid-week): what is older than 395 days goes, and the rollups follow.
      w.clock.advance(Duration.ofDays(395 - 35).plusHours(7));
      long cutoff = w.clock.millis() - Duration.ofDays(395).toMillis();
      List<UsageBruteForce.Raw> before = UsageBruteForce.raw(w.db());
      w.candor().usage().purgeExpired();
      List<UsageBruteForce.Raw> after =
          brute.assertConsistent(w.db(), "after the retention purge", random, 400);
      assertThat(after)
          .as("nothing older than the retention plus a day is left")
          .allSatisfy(r -> assertThat(r.at()).isGreaterThanOrEqualTo(cutoff - DAY));
      assertThat(after)
          .as("events within the retention are kept")
          .containsAll(before.stream().filter(r -> r.at() >= cutoff).toList());
      assertThat(after.size()).isLessThan(before.size());
      assertThat(UsageBruteForce.storedSessions(w.db()))
          .as("the session cut by the purge, rebuilt from its remaining events")
          .anySatisfy(s -> assertThat(s.startedAt()).isBetween(cut, cut + 30 * MINUTE));

      // 4. Life goes on: new events now, late ones inside the retention (also for people whose
      // first weeks were purged), a newcomer; then more erasures.
      String newcomer = w.person(true);
      remaining.add(newcomer);
      Workload more = new Workload(seed + 2, "n");
      long now = w.clock.millis();
      for (String p : remaining) {
        more.person(p, now - 6 * DAY, now, 0.7);
        more.person(p, cutoff + DAY, to, 0.1);
      }
      sendConcurrently(w, more.sends(), random);
      brute.assertConsistent(w.db(), "after more events following the purge", random, 400);

      w.erase(remaining.get(1));
      w.erase(remaining.get(4));
      brute.assertConsistent(w.db(), "after erasures following the purge", random, 400);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void erasures_and_withdrawals_racing_the_writer_leave_no_trace_and_consistent_rollups(String kind)
      throws Exception {
    Random random = new Random(77);
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> people = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        people.add(w.person(true));
      }
      Workload load = new Workload(78, "e");
      for (String p : people) {
        load.person(p, NOW.toEpochMilli() - 20 * DAY, NOW.toEpochMilli(), 0.8);
      }
      List<ObjectNode> sends = load.sends();
      List<String> erased = people.subList(0, 4);
      List<String> withdrawn = people.subList(4, 6);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<?> racing =
            pool.submit(
                () -> {
                  try {
                    for (int i = 0; i < erased.size(); i++) {
                      Thread.sleep(40 + random.nextInt(80));
                      w.erase(erased.get(i));
                      if (i < withdrawn.size()) {
                        w.consent(withdrawn.get(i), false);
                      }
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return null;
                });
        sendConcurrently(w, sends, new Random(79));
        racing.get();
      } finally {
        pool.shutdownNow();
      }
      for (String gone : erased) {
        for (String table : List.of("usage_events", "usage_sessions", "usage_person_days")) {
          assertThat(w.count("SELECT COUNT(*) FROM " + table + " WHERE subject_id = ?", gone))
              .as("%s rows of a person erased while their events streamed in", table)
              .isZero();
        }
      }
      // After a withdrawal, nothing more is collected.
      for (String p : withdrawn) {
        long before = w.count("SELECT COUNT(*) FROM usage_events WHERE subject_id = ?", p);
        JsonNode o =
            w.send(List.of(UsageWorld.event(p, "late-" + p, "track", "x", NOW.toEpochMilli())));
        assertThat(o.get("droppedNoConsent").asInt()).isEqualTo(1);
        assertThat(w.count("SELECT COUNT(*) FROM usage_events WHERE subject_id = ?", p))
            .isEqualTo(before);
      }
      UsageBruteForce.defaults().assertConsistent(w.db(), "after racing erasures", random, 200);
    }
  }
}
