package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.config.Config;
import app.candor.testing.TestDatabases;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dedupe window holds at most {@code CANDOR_USAGE_DEDUPE_MAX_IDS} messageIds: ingestion past
 * the bound neither fails nor takes more memory; the oldest ids go first, retries of the recent
 * ones are still recognised, and {@code candor_usage_dedupe_window_seconds} says how far back the
 * window reaches; a restart reloads no more than the bound.
 */
class DedupeBoundTest {
  /** A whole second, so that arrival seconds are exact. */
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  private static final Pattern GAUGE =
      Pattern.compile("(?m)^candor_usage_dedupe_window_seconds ([0-9.E+-]+)$");

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void ingestion_past_the_bound_keeps_the_newest_ids_in_constant_memory(String kind) {
    int bound = 500;
    int batch = 100;
    int batches = 30;
    Config config =
        TestDatabases.config(kind, dir).withUsage(Config.Usage.DEFAULT.withDedupeMaxIds(bound));
    try (UsageWorld w = new UsageWorld(config, NOW)) {
      String ana = w.person(true);
      long at = NOW.toEpochMilli() - 60_000L;
      // Below the bound the window reaches back its whole length: 7 days and today so far.
      double fullWindow = (7 * 86_400_000L + NOW.toEpochMilli() % 86_400_000L) / 1000.0;
      assertThat(gauge(w)).isEqualTo(fullWindow);

      List<Long> sizes = new ArrayList<>();
      long bytesAtBound = -1;
      for (int b = 0; b < batches; b++) {
        if (b > 0) {
          w.clock.advance(Duration.ofSeconds(1));
        }
        var outcome = w.send(events(ana, b * batch, batch, at));
        assertThat(outcome.get("accepted").asInt()).as("batch %d", b).isEqualTo(batch);
        sizes.add(onWriter(w, () -> (long) w.candor().usage().dedupeWindow().size()));
        // Full since a while (its chunks of ids turned over once): from here on, no growth.
        if (b == 2 * bound / batch) {
          bytesAtBound = onWriter(w, () -> w.candor().usage().dedupeWindow().bytesAllocated());
        }
        if (b == bound / batch - 1) {
          assertThat(gauge(w)).as("at the bound, not past it").isEqualTo(fullWindow + b);
        }
      }
      assertThat(sizes.subList(0, bound / batch)).containsExactly(100L, 200L, 300L, 400L, 500L);
      assertThat(sizes.subList(bound / batch, batches)).allMatch(s -> s == bound);
      assertThat(onWriter(w, () -> w.candor().usage().dedupeWindow().bytesAllocated()))
          .as("bytes held after %d events, against after %d", batches * batch, 2 * bound + batch)
          .isEqualTo(bytesAtBound);

      // Remembered: the ids of the last five batches, which arrived 4 s ago or later; the batch
      // before them (5 s ago) was pushed out, and the gauge says so.
      assertThat(gauge(w)).isEqualTo(4.0);

      // Retries of the newest ids are recognised; of the oldest, no longer (they are stored again).
      int newest = batches * batch - bound;
      var retried = w.send(events(ana, newest, bound, at));
      assertThat(retried.get("duplicates").asInt()).isEqualTo(bound);
      assertThat(retried.get("accepted").asInt()).isZero();
      var old = w.send(events(ana, 0, batch, at));
      assertThat(old.get("accepted").asInt()).isEqualTo(batch);
      assertThat(w.count("SELECT COUNT(*) FROM usage_events WHERE subject_id = ?", ana))
          .isEqualTo(batches * batch + batch);
      assertThat(onWriter(w, () -> (long) w.candor().usage().dedupeWindow().size()))
          .isEqualTo(bound);

      // A writer starting on the same database reloads the last `bound` ids, no more.
      RecentMessages reloaded = new RecentMessages(7, bound);
      UsageWriter fresh =
          new UsageWriter(
              w.db(),
              new Sessions(30 * 60_000L, 24 * 3_600_000L),
              Clock.fixed(w.clock.instant(), ZoneOffset.UTC),
              reloaded);
      fresh.recover();
      assertThat(reloaded.size()).isEqualTo(bound);
      // Among the newest; stored again last, so remembered; pushed out since.
      assertThat(reloaded.contains(RecentMessages.key(ana, "m-" + (batches * batch - 1)))).isTrue();
      assertThat(reloaded.contains(RecentMessages.key(ana, "m-99"))).isTrue();
      assertThat(reloaded.contains(RecentMessages.key(ana, "m-" + (newest - 1)))).isFalse();
      UsageEvent retry = UsageWorld.track(ana, "m-" + (batches * batch - 1), at);
      assertThat(fresh.write(List.of(retry))).containsExactly(0);
    }
  }

  @Test
  void a_full_window_forgets_oldest_first_and_keeps_its_memory() {
    int bound = 1_000;
    RecentMessages recent = new RecentMessages(7, bound);
    long t = 20_000 * 86_400_000L + 3_600_000L;
    // 1,000 ids a second for 300 seconds: 300 times the bound.
    long bytesAtBound = -1;
    for (int i = 0; i < 300_000; i++) {
      long arrived = t + i; // one id a millisecond
      // Plain checks: AssertJ 300,000 times over takes seconds.
      if (!recent.add(RecentMessages.key("p", "m-" + i), arrived) || recent.size() > bound) {
        throw new AssertionError("add " + i + ": size " + recent.size());
      }
      if (i == bound - 1) {
        assertThat(recent.rememberedSince(arrived)).isEqualTo(recent.windowStart(arrived));
      }
      // Full since a while (its chunks of ids turned over once): from here on, no growth.
      if (i == 3 * bound) {
        bytesAtBound = recent.bytesAllocated();
      }
      if (i > 3 * bound && recent.bytesAllocated() != bytesAtBound) {
        throw new AssertionError("add " + i + ": " + recent.bytesAllocated() + " bytes");
      }
    }
    long now = t + 299_999;
    assertThat(recent.size()).isEqualTo(bound);
    assertThat(recent.bytesAllocated()).isEqualTo(bytesAtBound);
    // The last 1,000 arrived within the last second: everything since that second began is kept.
    assertThat(recent.rememberedSince(now)).isEqualTo(t + 299_000);
    for (int i = 299_000; i < 300_000; i++) {
      assertThat(recent.contains(RecentMessages.key("p", "m-" + i))).isTrue();
      assertThat(recent.add(RecentMessages.key("p", "m-" + i), now)).as("a retry").isFalse();
    }
    assertThat(recent.contains(RecentMessages.key("p", "m-298999"))).isFalse();
    assertThat(recent.contains(RecentMessages.key("p", "m-0"))).isFalse();
    assertThat(recent.size()).isEqualTo(bound);

    // A write of more ids than the bound that is rolled back: what is left of it is forgotten.
    for (int i = 0; i < 2_500; i++) {
      recent.add(RecentMessages.key("q", "m-" + i), now + 1_000);
    }
    recent.forgetLast(2_500);
    assertThat(recent.size()).isZero();
    assertThat(recent.add(RecentMessages.key("q", "m-2499"), now + 2_000)).isTrue();
    assertThat(recent.size()).isEqualTo(1);
    assertThat(recent.bytesAllocated()).isLessThanOrEqualTo(bytesAtBound);
  }

  @Test
  void a_retry_of_the_oldest_id_of_a_full_window_is_recognised_and_changes_nothing() {
    RecentMessages recent = new RecentMessages(7, 3);
    long t = 20_000 * 86_400_000L;
    long a = RecentMessages.key("p", "a");
    long b = RecentMessages.key("p", "b");
    long c = RecentMessages.key("p", "c");
    long d = RecentMessages.key("p", "d");
    assertThat(recent.add(a, t)).isTrue();
    assertThat(recent.add(b, t + 1_000)).isTrue();
    assertThat(recent.add(c, t + 2_000)).isTrue();
    assertThat(recent.add(a, t + 3_000)).as("the oldest, retried").isFalse();
    assertThat(recent.add(b, t + 3_000)).isFalse();
    assertThat(recent.size()).isEqualTo(3);
    assertThat(recent.rememberedSince(t + 3_000)).isEqualTo(recent.windowStart(t + 3_000));
    assertThat(recent.add(d, t + 3_000)).isTrue();
    assertThat(recent.contains(a)).isFalse();
    assertThat(recent.contains(b) && recent.contains(c) && recent.contains(d)).isTrue();
    assertThat(recent.rememberedSince(t + 3_000)).isEqualTo(t + 1_000);
    // Time expiry still works on a window the bound keeps full.
    recent.expire(t + 9 * 86_400_000L);
    assertThat(recent.size()).isZero();
    assertThat(recent.add(a, t + 9 * 86_400_000L)).isTrue();
  }

  @Test
  void random_adds_rollbacks_and_expiry_agree_with_a_plain_queue() {
    java.util.Random random = new java.util.Random(20261206);
    long day = 86_400_000L;
    for (int round = 0; round < 300; round++) {
      int bound = 1 + random.nextInt(round < 100 ? 5 : 70);
      RecentMessages recent = new RecentMessages(1, bound);
      java.util.ArrayDeque<long[]> model = new java.util.ArrayDeque<>();
      long now = 20_000 * day;
      for (int step = 0; step < 400; step++) {
        int op = random.nextInt(10);
        if (op < 7) {
          long key = random.nextInt(3 * bound + 3);
          boolean known = model.stream().anyMatch(e -> e[0] == key);
          assertThat(recent.add(key, now)).isEqualTo(!known);
          if (!known) {
            if (model.size() == bound) {
              model.removeFirst();
            }
            model.addLast(new long[] {key, now});
          }
        } else if (op == 7) {
          int n = random.nextInt(bound + 2);
          recent.forgetLast(n);
          for (int i = 0; i < n && !model.isEmpty(); i++) {
            model.removeLast();
          }
        } else if (op == 8) {
          now += random.nextInt(4) == 0 ? day / 2 : random.nextInt(5_000);
        } else {
          int budget = 1 + random.nextInt(3);
          recent.expire(now, budget);
          long start = recent.windowStart(now);
          for (int i = 0; i < budget && !model.isEmpty() && model.peekFirst()[1] < start; i++) {
            model.removeFirst();
          }
        }
        assertThat(recent.size()).as("round %d step %d", round, step).isEqualTo(model.size());
        for (long[] e : model) {
          assertThat(recent.contains(e[0])).isTrue();
        }
      }
    }
  }

  private static List<ObjectNode> events(String person, int first, int n, long at) {
    List<ObjectNode> out = new ArrayList<>();
    for (int i = first; i < first + n; i++) {
      out.add(UsageWorld.event(person, "m-" + i, "track", "chat.send", at));
    }
    return out;
  }

  /** Reads writer state on the writer thread, between two writes. */
  private static <T> T onWriter(UsageWorld w, Supplier<T> read) {
    List<T> out = new ArrayList<>();
    w.candor().usage().ingestion().maintenance(() -> out.add(read.get())).join();
    return out.get(0);
  }

  private static double gauge(UsageWorld w) {
    String metrics = w.http.get("/metrics", null).text();
    Matcher m = GAUGE.matcher(metrics);
    assertThat(m.find()).as("the gauge in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
