package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Retries are recognised by the writer's window of recent messageIds (no unique index on the log):
 * within the window, across a restart (the window is rebuilt from the log), and, as documented, not
 * beyond it.
 */
class UsageDedupeTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_retry_is_a_duplicate_within_the_window_and_after_a_restart_and_not_beyond(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      String ana = w.person(true);
      long at = NOW.toEpochMilli() - 3_600_000L;
      var event = UsageWorld.event(ana, "m-1", "track", "chat.send", at);
      assertThat(w.send(List.of(event)).get("accepted").asInt()).isEqualTo(1);

      w.clock.advance(Duration.ofDays(3));
      assertThat(w.send(List.of(event)).get("duplicates").asInt()).isEqualTo(1);

      // A writer starting afresh on the same database (a restart) knows it from the log.
      UsageWriter fresh =
          new UsageWriter(
              w.db(),
              new Sessions(30 * 60_000L, 24 * 3_600_000L),
              Clock.fixed(NOW.plus(Duration.ofDays(3)), ZoneOffset.UTC),
              new RecentMessages(7, 1_000_000));
      fresh.recover();
      UsageEvent same = new UsageEvent(ana, "m-1", "track", "chat.send", at, "app-events", null);
      assertThat(fresh.write(List.of(same, same))).containsExactly(0, 0);

      // Beyond the window (7 days from arrival) the id is forgotten, as documented.
      w.clock.advance(Duration.ofDays(5));
      assertThat(w.send(List.of(event)).get("accepted").asInt()).isEqualTo(1);
      assertThat(w.count("SELECT COUNT(*) FROM usage_events WHERE subject_id = ?", ana))
          .isEqualTo(2);
    }
  }

  @Test
  void the_window_forgets_whole_days_and_tells_fingerprints_apart() {
    RecentMessages recent = new RecentMessages(2, 1_000);
    long day = 86_400_000L;
    long t = 20_000 * day + 5_000;
    long a = RecentMessages.key("4f1c3c7e-0000-4000-8000-000000000001", "m-1");
    long b = RecentMessages.key("4f1c3c7e-0000-4000-8000-000000000002", "m-1");
    long c = RecentMessages.key("4f1c3c7e-0000-4000-8000-000000000001", "m-2");
    assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
    recent.add(a, t);
    recent.add(b, t + day);
    assertThat(recent.contains(a)).isTrue();
    assertThat(recent.contains(b)).isTrue();
    assertThat(recent.contains(c)).isFalse();
    recent.expire(t + 2 * day);
    assertThat(recent.contains(a)).as("two days back: still in").isTrue();
    recent.expire(t + 3 * day);
    assertThat(recent.contains(a)).as("three days back: gone").isFalse();
    assertThat(recent.contains(b)).isTrue();
    assertThat(recent.size()).isEqualTo(1);
    assertThat(recent.windowStart(t + 3 * day)).isEqualTo(20_001 * day);
  }

  @Test
  void adding_tells_a_retry_in_one_probe_and_a_failed_write_is_taken_back() {
    RecentMessages recent = new RecentMessages(2, 1_000);
    long t = 20_000 * 86_400_000L;
    long a = RecentMessages.key("p-1", "m-1");
    long b = RecentMessages.key("p-1", "m-2");
    assertThat(recent.add(a, t)).isTrue();
    assertThat(recent.add(a, t)).as("a retry").isFalse();
    assertThat(recent.add(b, t)).isTrue();
    // b's write failed: it is forgotten, a stays.
    recent.forgetLast(1);
    assertThat(recent.contains(b)).isFalse();
    assertThat(recent.contains(a)).isTrue();
    assertThat(recent.add(b, t)).isTrue();
  }

  @Test
  void expiry_under_a_budget_removes_a_day_over_several_calls_and_never_early() {
    RecentMessages recent = new RecentMessages(1, 1_000);
    long day = 86_400_000L;
    long t = 20_000 * day;
    for (int i = 0; i < 10; i++) {
      recent.add(RecentMessages.key("p", "old-" + i), t);
    }
    long kept = RecentMessages.key("p", "new");
    recent.add(kept, t + day);
    recent.expire(t + day, 4);
    assertThat(recent.size()).as("still in the window").isEqualTo(11);
    recent.expire(t + 2 * day, 4);
    assertThat(recent.size()).isEqualTo(7);
    recent.expire(t + 2 * day, 4);
    recent.expire(t + 2 * day, 4);
    assertThat(recent.size()).isEqualTo(1);
    assertThat(recent.contains(kept)).isTrue();
  }
}
