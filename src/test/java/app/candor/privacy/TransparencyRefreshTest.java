package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.RetentionSettings;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The counts on the transparency page survive failed counts, which log no more than a class. */
class TransparencyRefreshTest {

  private static final Catalog CATALOG =
      Catalog.standard(new RetentionSettings(395, 30, Duration.ofHours(6)));

  /** A usage provider whose count the test sets, or makes fail. */
  private static final class Counted implements SubjectData {
    final AtomicLong people = new AtomicLong();
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Category category() {
      return Category.USAGE;
    }

    @Override
    public Set<String> fieldIds() {
      return Set.of("usage.events");
    }

    @Override
    public List<Held> describe(String subjectId) {
      return List.of();
    }

    @Override
    public List<Table> tables(String subjectId) {
      return List.of();
    }

    @Override
    public int erase(Handle handle, String subjectId) {
      return 0;
    }

    @Override
    public long subjectsWithData() {
      calls.incrementAndGet();
      RuntimeException e = failure.get();
      if (e != null) {
        throw e;
      }
      return people.get();
    }
  }

  @Test
  void a_failed_count_keeps_the_last_counts_and_their_time_and_logs_only_the_exception_class() {
    Counted usage = new Counted();
    MovingClock clock = new MovingClock(Instant.parse("2026-12-06T10:00:00Z"));
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    Logger logger = (Logger) LoggerFactory.getLogger(LiveCounts.class);
    logger.addAppender(logged);
    try (Transparency transparency =
        new Transparency(CATALOG, List.of(usage), "Wave", clock.clock())) {
      assertThat(transparency.view().countsAt()).isNull();
      assertThat(usersWithUsage(transparency)).isEqualTo("not counted yet");

      usage.people.set(25);
      transparency.refresh();
      Instant counted = transparency.view().countsAt();
      assertThat(counted).isEqualTo(Instant.parse("2026-12-06T10:00:00Z"));
      assertThat(usersWithUsage(transparency)).isEqualTo(25L);
      byte[] json = transparency.json();

      clock.advance(Duration.ofMinutes(1));
      usage.people.set(40);
      usage.failure.set(new IllegalStateException("SELECT secret FROM people WHERE phone = '+49'"));
      transparency.refresh();
      assertThat(transparency.view().countsAt()).isEqualTo(counted);
      assertThat(usersWithUsage(transparency)).isEqualTo(25L);
      assertThat(transparency.json()).isEqualTo(json);
      assertThat(logged.list).hasSize(1);
      assertThat(logged.list.get(0).getFormattedMessage())
          .contains("java.lang.IllegalStateException")
          .doesNotContain("SELECT")
          .doesNotContain("+49");
      assertThat(logged.list.get(0).getThrowableProxy()).isNull();

      clock.advance(Duration.ofMinutes(1));
      usage.failure.set(null);
      transparency.refresh();
      assertThat(transparency.view().countsAt()).isEqualTo(Instant.parse("2026-12-06T10:02:00Z"));
      assertThat(usersWithUsage(transparency)).isEqualTo(40L);
    } finally {
      logger.detachAppender(logged);
    }
  }

  @Test
  void counts_are_taken_at_start_and_again_on_schedule_even_after_a_failed_count()
      throws InterruptedException {
    Counted usage = new Counted();
    usage.people.set(12);
    try (Transparency transparency =
        new Transparency(CATALOG, List.of(usage), "Wave", Clock.systemUTC())) {
      transparency.start(Duration.ofMillis(20));
      // The first count is taken before start returns.
      assertThat(usersWithUsage(transparency)).isEqualTo(12L);

      usage.failure.set(new IllegalStateException("the database is down"));
      int before = usage.calls.get();
      awaitCalls(usage, before + 3);
      assertThat(usersWithUsage(transparency)).isEqualTo(12L);

      usage.failure.set(null);
      usage.people.set(30);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!Long.valueOf(30).equals(usersWithUsage(transparency))
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(usersWithUsage(transparency)).isEqualTo(30L);
    }
  }

  private static void awaitCalls(Counted usage, int calls) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (usage.calls.get() < calls && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(usage.calls.get()).as("counts attempted").isGreaterThanOrEqualTo(calls);
  }

  private static Object usersWithUsage(Transparency transparency) {
    return transparency.view().categories().stream()
        .filter(c -> c.id().equals("usage"))
        .findFirst()
        .orElseThrow()
        .usersWithData();
  }

  /** A clock the test moves. */
  private static final class MovingClock {
    private Instant now;

    MovingClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    Clock clock() {
      return new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
    }
  }
}
