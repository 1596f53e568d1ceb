package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SQLite the writer remembers which people exist, up to a bound; crossing the bound forgets them
 * all, and the write that crosses it still stores every event of people who exist.
 */
class WriterPresenceBoundTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  @TempDir Path dir;

  @Test
  void crossing_the_bound_on_remembered_people_drops_no_ones_events() {
    try (UsageWorld w = new UsageWorld(TestDatabases.SQLITE, dir, NOW)) {
      String a = w.person(true);
      String b = w.person(true);
      String c = w.person(true);
      String d = w.person(true);
      UsageWriter writer =
          new UsageWriter(
              w.db(),
              new Sessions(30 * 60_000L, 24 * 3_600_000L),
              Clock.fixed(NOW, ZoneOffset.UTC),
              new RecentMessages(7, 1_000_000),
              2);
      writer.recover();
      long at = NOW.toEpochMilli() - 60_000L;
      // Three people remembered: past the bound of two.
      assertThat(
              writer.write(
                  List.of(
                      UsageWorld.track(a, "m-1", at),
                      UsageWorld.track(b, "m-2", at),
                      UsageWorld.track(c, "m-3", at))))
          .containsExactly(1, 1, 1);
      // a was remembered, d is new: the set is cleared, and a must still count as present.
      assertThat(
              writer.write(List.of(UsageWorld.track(a, "m-4", at), UsageWorld.track(d, "m-5", at))))
          .containsExactly(1, 1);
      // Someone who does not exist is still told apart.
      assertThat(
              writer.write(
                  List.of(
                      UsageWorld.track("00000000-0000-4000-8000-000000000000", "m-6", at),
                      UsageWorld.track(b, "m-7", at))))
          .containsExactly(-1, 1);
    }
  }
}
