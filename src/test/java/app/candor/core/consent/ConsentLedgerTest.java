package app.candor.core.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import app.candor.Candor;
import app.candor.core.catalog.LegalBasis;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConsentLedgerTest {

  @TempDir Path dir;

  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  /** A clock the test moves by hand. */
  private static final class TestClock extends Clock {
    private Instant now = START;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static Iterable<String> kinds() {
    return TestDatabases.kinds();
  }

  private final TestClock clock = new TestClock();
  private final String person = UUID.randomUUID().toString();

  private void withLedger(String kind, Consumer<ConsentLedger> test) {
    try (Candor candor = Candor.open(TestDatabases.config(kind, dir), clock)) {
      test.accept(candor.consents());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void by_default_consent_purposes_are_off_and_contract_purposes_are_on(String kind) {
    withLedger(
        kind,
        ledger -> {
          List<ConsentLedger.State> states = ledger.current(person);
          assertThat(states)
              .extracting(ConsentLedger.State::purpose)
              .containsExactly(Purpose.values());
          for (ConsentLedger.State s : states) {
            boolean consent = s.purpose().basis() == LegalBasis.CONSENT;
            assertThat(s.granted()).as(s.purpose().id()).isEqualTo(!consent);
            assertThat(s.required()).as(s.purpose().id()).isEqualTo(!consent);
            assertThat(s.updatedAt()).isEmpty();
            assertThat(s.source()).isEmpty();
            assertThat(s.level()).isEmpty();
            assertThat(ledger.holds(person, s.purpose())).isEqualTo(!consent);
          }
          assertThat(ledger.state(person, Purpose.ACCOUNT).granted()).isTrue();
          assertThat(ledger.state(person, Purpose.MESSAGING).granted()).isTrue();
          assertThat(ledger.state(person, Purpose.PAYMENTS).granted()).isTrue();
          assertThat(ledger.state(person, Purpose.SAFETY).granted()).isTrue();
          assertThat(ledger.state(person, Purpose.ANALYTICS).granted()).isFalse();
          assertThat(ledger.state(person, Purpose.PERSONALIZATION).granted()).isFalse();
          assertThat(ledger.state(person, Purpose.LOCATION).granted()).isFalse();
          assertThat(ledger.state(person, Purpose.NEARBY_DISCOVERY).granted()).isFalse();
          assertThat(ledger.state(person, Purpose.PERSONALIZED_ADS).granted()).isFalse();
          assertThat(ledger.history(person)).isEmpty();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void granting_and_withdrawing_take_effect_at_once_and_are_kept_in_the_history(String kind) {
    withLedger(
        kind,
        ledger -> {
          Instant granted = clock.instant();
          ledger.decide(person, Purpose.ANALYTICS, true, Optional.empty(), "user");
          assertThat(ledger.holds(person, Purpose.ANALYTICS)).isTrue();
          ConsentLedger.State on = ledger.state(person, Purpose.ANALYTICS);
          assertThat(on.granted()).isTrue();
          assertThat(on.updatedAt()).contains(granted);
          assertThat(on.source()).contains("user");

          clock.advance(Duration.ofMinutes(5));
          Instant withdrawn = clock.instant();
          ledger.decide(person, Purpose.ANALYTICS, false, Optional.empty(), "service:chat");
          assertThat(ledger.holds(person, Purpose.ANALYTICS)).isFalse();
          ConsentLedger.State off = ledger.state(person, Purpose.ANALYTICS);
          assertThat(off.granted()).isFalse();
          assertThat(off.updatedAt()).contains(withdrawn);
          assertThat(off.source()).contains("service:chat");

          assertThat(ledger.history(person))
              .containsExactly(
                  new ConsentLedger.Event(
                      Purpose.ANALYTICS, true, Optional.empty(), "user", granted),
                  new ConsentLedger.Event(
                      Purpose.ANALYTICS, false, Optional.empty(), "service:chat", withdrawn));
          // Other people are not affected.
          assertThat(ledger.history("someone-else")).isEmpty();
          assertThat(ledger.holds("someone-else", Purpose.ANALYTICS)).isFalse();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void location_is_granted_only_with_a_level_precise_or_approximate(String kind) {
    withLedger(
        kind,
        ledger -> {
          CandorException none =
              catchThrowableOfType(
                  CandorException.class,
                  () -> ledger.decide(person, Purpose.LOCATION, true, Optional.empty(), "user"));
          assertInvalidLevel(none);
          CandorException unknown =
              catchThrowableOfType(
                  CandorException.class,
                  () ->
                      ledger.decide(person, Purpose.LOCATION, true, Optional.of("exact"), "user"));
          assertInvalidLevel(unknown);
          assertThat(ledger.history(person)).as("a refused decision writes nothing").isEmpty();
          assertThat(ledger.holds(person, Purpose.LOCATION)).isFalse();

          ledger.decide(person, Purpose.LOCATION, true, Optional.of("approximate"), "user");
          assertThat(ledger.state(person, Purpose.LOCATION).level()).contains("approximate");
          clock.advance(Duration.ofSeconds(1));
          ledger.decide(person, Purpose.LOCATION, true, Optional.of("precise"), "user");
          assertThat(ledger.state(person, Purpose.LOCATION).level()).contains("precise");
          assertThat(ledger.holds(person, Purpose.LOCATION)).isTrue();

          CandorException levelOnWithdraw =
              catchThrowableOfType(
                  CandorException.class,
                  () ->
                      ledger.decide(
                          person, Purpose.LOCATION, false, Optional.of("precise"), "user"));
          assertInvalidLevel(levelOnWithdraw);

          clock.advance(Duration.ofSeconds(1));
          ledger.decide(person, Purpose.LOCATION, false, Optional.empty(), "user");
          ConsentLedger.State off = ledger.state(person, Purpose.LOCATION);
          assertThat(off.granted()).isFalse();
          assertThat(off.level()).isEmpty();
          assertThat(ledger.history(person))
              .extracting(ConsentLedger.Event::level)
              .containsExactly(
                  Optional.of("approximate"), Optional.of("precise"), Optional.empty());
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_level_is_refused_for_every_purpose_but_location(String kind) {
    withLedger(
        kind,
        ledger -> {
          for (Purpose p : Purpose.values()) {
            if (p == Purpose.LOCATION) {
              continue;
            }
            CandorException e =
                catchThrowableOfType(
                    CandorException.class,
                    () -> ledger.decide(person, p, true, Optional.of("precise"), "user"));
            assertInvalidLevel(e);
          }
          assertThat(ledger.history(person)).isEmpty();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void nearby_discovery_is_visible_to_everyone_by_default_or_to_friends_only(String kind) {
    withLedger(
        kind,
        ledger -> {
          Purpose p = Purpose.NEARBY_DISCOVERY;
          assertThat(ledger.decide(person, p, true, Optional.empty(), "user").level())
              .contains("everyone");
          assertThat(ledger.decide(person, p, true, Optional.of("friends"), "user").level())
              .contains("friends");
          assertThat(ledger.holdersAmong(List.of(person), p, Set.of("everyone"))).isEmpty();
          assertThat(ledger.holdersAmong(List.of(person), p, Set.of("friends")))
              .containsExactly(person);
          assertThat(ledger.holders(p, Set.of("everyone"))).isEmpty();
          assertInvalidLevel(
              catchThrowableOfType(
                  CandorException.class,
                  () -> ledger.decide(person, p, true, Optional.of("precise"), "user")));
          assertInvalidLevel(
              catchThrowableOfType(
                  CandorException.class,
                  () -> ledger.decide(person, p, false, Optional.of("friends"), "user")));
          ledger.decide(person, p, false, Optional.empty(), "user");
          assertThat(ledger.holdersAmong(List.of(person), p, Set.of("everyone", "friends")))
              .isEmpty();
          assertThat(ledger.history(person))
              .extracting(ConsentLedger.Event::level)
              .containsExactlyInAnyOrder(
                  Optional.of("everyone"), Optional.of("friends"), Optional.empty());
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void account_messaging_payments_and_safety_cannot_be_withdrawn(String kind) {
    withLedger(
        kind,
        ledger -> {
          for (Purpose p :
              List.of(Purpose.ACCOUNT, Purpose.MESSAGING, Purpose.PAYMENTS, Purpose.SAFETY)) {
            CandorException e =
                catchThrowableOfType(
                    CandorException.class,
                    () -> ledger.decide(person, p, false, Optional.empty(), "user"));
            assertThat(e).as(p.id()).isNotNull();
            assertThat(e.kind()).isEqualTo(CandorException.Kind.CONFLICT);
            assertThat(e.getMessage()).contains(p.id()).contains("erase");
            assertThat(ledger.holds(person, p)).isTrue();
            assertThat(ledger.state(person, p).granted()).isTrue();
          }
          assertThat(ledger.history(person)).as("refusals write nothing").isEmpty();
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void every_consent_purpose_can_be_withdrawn_after_being_granted(String kind) {
    withLedger(
        kind,
        ledger -> {
          for (Purpose p : Purpose.values()) {
            if (!p.withdrawable()) {
              continue;
            }
            Optional<String> level = p.levels().stream().findFirst();
            ledger.decide(person, p, true, level, "user");
            assertThat(ledger.holds(person, p)).as(p.id()).isTrue();
            ledger.decide(person, p, false, Optional.empty(), "user");
            assertThat(ledger.holds(person, p)).as(p.id()).isFalse();
          }
          assertThat(ledger.history(person)).hasSize(10);
          assertThat(ledger.subjectsWithDecisions()).isEqualTo(1);
        });
  }

  private static void assertInvalidLevel(CandorException e) {
    assertThat(e).isNotNull();
    assertThat(e.kind()).isEqualTo(CandorException.Kind.INVALID);
    assertThat(e.errors()).extracting(CandorException.FieldError::field).containsExactly("level");
  }
}
