package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.config.Config;
import app.candor.testing.TestDatabases;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sessions, case by case: a new inferred session after 30 minutes of inactivity (exactly 30 still
 * continues), none longer than 24 hours, explicit session_start/session_end honoured, settings
 * honoured, and the same sessions whatever order the events arrive in.
 */
class SessionInferenceTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");
  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;

  /** Two days before NOW, 08:00 UTC. */
  static final long T0 = Instant.parse("2026-03-16T08:00:00Z").toEpochMilli();

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A session as expected: offsets from T0, events, explicit, closed. */
  record Expected(long start, long last, int events, boolean explicit, boolean closed) {}

  private static Expected s(long start, long last, int events, boolean explicit, boolean closed) {
    return new Expected(start, last, events, explicit, closed);
  }

  private static final class Events {
    final String person;
    final List<ObjectNode> list = new ArrayList<>();

    Events(String person) {
      this.person = person;
    }

    Events at(long offset, String type) {
      String name = type.startsWith("session_") ? null : "chat.send";
      list.add(UsageWorld.event(person, person + "-" + list.size(), type, name, T0 + offset));
      return this;
    }

    Events track(long offset) {
      return at(offset, "track");
    }
  }

  private static List<Expected> sessionsOf(UsageWorld w, String person) {
    return UsageBruteForce.storedSessions(w.db()).stream()
        .filter(x -> x.subject().equals(person))
        .sorted(Comparator.comparingLong(UsageBruteForce.Session::startedAt))
        .map(
            x ->
                new Expected(
                    x.startedAt() - T0, x.lastAt() - T0, x.events(), x.explicit(), x.closed()))
        .toList();
  }

  /** Sends the events in order, one batch; then to another person in reverse, one per batch. */
  private static void both(UsageWorld w, Events in, Events reversed) {
    w.send(in.list);
    List<ObjectNode> back = new ArrayList<>(reversed.list);
    Collections.reverse(back);
    back.forEach(e -> w.send(List.of(e)));
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_pause_over_30_minutes_starts_a_new_session_in_any_arrival_order(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> people = List.of(w.person(true), w.person(true));
      List<Events> e = people.stream().map(Events::new).toList();
      for (Events x : e) {
        x.track(0).track(10 * MINUTE).track(40 * MINUTE); // exactly 30 minutes: same session
        x.track(70 * MINUTE + 1); // 30 minutes and 1 ms: a new one
        x.track(90 * MINUTE);
      }
      both(w, e.get(0), e.get(1));
      List<Expected> expected =
          List.of(
              s(0, 40 * MINUTE, 3, false, false), s(70 * MINUTE + 1, 90 * MINUTE, 2, false, false));
      assertThat(sessionsOf(w, people.get(0))).isEqualTo(expected);
      assertThat(sessionsOf(w, people.get(1))).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_late_event_that_fills_a_pause_joins_the_two_sessions(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      String person = w.person(true);
      Events e = new Events(person).track(0).track(50 * MINUTE).track(60 * MINUTE);
      w.send(e.list);
      assertThat(sessionsOf(w, person))
          .isEqualTo(
              List.of(s(0, 0, 1, false, false), s(50 * MINUTE, 60 * MINUTE, 2, false, false)));
      w.send(List.of(UsageWorld.event(person, "late", "screen", "home", T0 + 25 * MINUTE)));
      assertThat(sessionsOf(w, person)).isEqualTo(List.of(s(0, 60 * MINUTE, 4, false, false)));
      // A late event inside a session only counts in it; one before all starts or joins the first.
      w.send(List.of(UsageWorld.event(person, "inside", "track", "pay", T0 + 55 * MINUTE)));
      w.send(List.of(UsageWorld.event(person, "early", "track", "pay", T0 - 20 * MINUTE)));
      w.send(List.of(UsageWorld.event(person, "earlier", "track", "pay", T0 - 90 * MINUTE)));
      assertThat(sessionsOf(w, person))
          .isEqualTo(
              List.of(
                  s(-90 * MINUTE, -90 * MINUTE, 1, false, false),
                  s(-20 * MINUTE, 60 * MINUTE, 6, false, false)));
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void no_session_lasts_more_than_24_hours(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> people = List.of(w.person(true), w.person(true));
      List<Events> e = people.stream().map(Events::new).toList();
      for (Events x : e) {
        for (long t = 0; t <= 30 * HOUR; t += 20 * MINUTE) {
          x.track(t);
        }
      }
      both(w, e.get(0), e.get(1));
      // 0, 20 min, ..., exactly 24 h: 73 events; then from 24 h 20 min to 30 h: 18.
      List<Expected> expected =
          List.of(
              s(0, 24 * HOUR, 73, false, false),
              s(24 * HOUR + 20 * MINUTE, 30 * HOUR, 18, false, false));
      assertThat(sessionsOf(w, people.get(0))).isEqualTo(expected);
      assertThat(sessionsOf(w, people.get(1))).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void explicit_session_start_and_end_are_honoured_in_any_arrival_order(String kind) {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      List<String> people = List.of(w.person(true), w.person(true));
      List<Events> e = people.stream().map(Events::new).toList();
      for (Events x : e) {
        x.at(0, "session_start").track(5 * MINUTE).at(10 * MINUTE, "session_end");
        x.track(12 * MINUTE); // after the end: a new, inferred session
        x.at(20 * MINUTE, "session_start"); // closes the inferred one, opens an explicit one
        x.track(25 * MINUTE);
        x.track(25 * MINUTE + 31 * MINUTE); // never ended, but 31 minutes of nothing
        x.at(60 * MINUTE, "session_end"); // ends the inferred session it falls in
        x.at(3 * HOUR, "session_end"); // an end with nothing to end: a session of its own
      }
      both(w, e.get(0), e.get(1));
      List<Expected> expected =
          List.of(
              s(0, 10 * MINUTE, 3, true, true),
              s(12 * MINUTE, 12 * MINUTE, 1, false, true),
              s(20 * MINUTE, 25 * MINUTE, 2, true, false),
              s(56 * MINUTE, 60 * MINUTE, 2, false, true),
              s(3 * HOUR, 3 * HOUR, 1, false, true));
      assertThat(sessionsOf(w, people.get(0))).isEqualTo(expected);
      assertThat(sessionsOf(w, people.get(1))).isEqualTo(expected);
      // A late session_start inside a session splits it there.
      String third = w.person(true);
      Events x = new Events(third).track(0).track(10 * MINUTE).track(20 * MINUTE);
      w.send(x.list);
      w.send(List.of(UsageWorld.event(third, "start", "session_start", null, T0 + 15 * MINUTE)));
      assertThat(sessionsOf(w, third))
          .isEqualTo(
              List.of(
                  s(0, 10 * MINUTE, 2, false, true), s(15 * MINUTE, 20 * MINUTE, 2, true, false)));
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_gap_and_the_longest_session_are_settings(String kind) {
    Config config = TestDatabases.config(kind, dir).withUsage(new Config.Usage(395, 10, 2, 7));
    try (UsageWorld w = new UsageWorld(config, NOW)) {
      String person = w.person(true);
      Events e = new Events(person).track(0).track(10 * MINUTE).track(20 * MINUTE + 1);
      for (long t = 3 * HOUR; t <= 6 * HOUR; t += 5 * MINUTE) {
        e.track(t);
      }
      List<ObjectNode> shuffled = new ArrayList<>(e.list);
      Collections.shuffle(shuffled, new Random(3));
      for (int i = 0; i < shuffled.size(); i += 4) {
        w.send(shuffled.subList(i, Math.min(shuffled.size(), i + 4)));
      }
      assertThat(sessionsOf(w, person))
          .isEqualTo(
              List.of(
                  s(0, 10 * MINUTE, 2, false, false),
                  s(20 * MINUTE + 1, 20 * MINUTE + 1, 1, false, false),
                  s(3 * HOUR, 5 * HOUR, 25, false, false),
                  s(5 * HOUR + 5 * MINUTE, 6 * HOUR, 12, false, false)));
    }
  }
}
