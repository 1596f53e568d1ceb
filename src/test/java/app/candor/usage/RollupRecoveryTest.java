package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A roll-up cut short by a crash is finished at the next start, and every event is rolled up
 * exactly once, even when a second crash follows: the slices committed before the first crash may
 * hold positions beyond every event the recovery rolls up itself.
 */
class RollupRecoveryTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  @TempDir Path dir;

  @Test
  void a_roll_up_cut_by_a_crash_and_its_recovery_by_another_rolls_every_event_up_once() {
    try (UsageWorld w = new UsageWorld(TestDatabases.SQLITE, dir, NOW)) {
      String one = w.person(true);
      String two = w.person(true);
      // Slices take people in id order: the first person's events go in the first slice.
      String first = one.compareTo(two) < 0 ? one : two;
      String second = first.equals(one) ? two : one;
      long at = NOW.toEpochMilli() - 3_600_000L;
      // Positions: the first person 1 and 3..302, the second person 2.
      List<UsageEvent> events = new ArrayList<>();
      events.add(UsageWorld.track(first, "f-0", at));
      events.add(UsageWorld.track(second, "s-0", at + 500));
      for (int i = 1; i <= 300; i++) {
        events.add(UsageWorld.track(first, "f-" + i, at + i * 1_000L));
      }
      TestClock clock = new TestClock(NOW);
      UsageWriter before = writer(w, clock);
      before.recover();
      assertThat(before.write(events)).containsOnly(1);
      clock.advance(Duration.ofSeconds(3));
      // One slice (the first person's 301 events, more than a slice's 250), then the crash.
      before.rollUpStep();
      assertThat(before.pendingCount()).isEqualTo(1);

      // The recovery rolls up the second person's event (position 2)...
      writer(w, clock).recover();
      // ...and after another crash, nothing is rolled up a second time.
      UsageWriter after = writer(w, clock);
      after.recover();
      assertThat(after.pendingCount()).isZero();
      UsageBruteForce.defaults().assertConsistent(w.db(), "after two crashes", new Random(1), 20);
    }
  }

  private static UsageWriter writer(UsageWorld w, TestClock clock) {
    return new UsageWriter(
        w.db(),
        new Sessions(30 * 60_000L, 24 * 3_600_000L),
        clock,
        new RecentMessages(7, 1_000_000));
  }
}
