package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.core.errors.CandorException;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When the writer cannot keep up, the queue stops at its bound: submissions beyond it are refused
 * at once (the API answers 503 with Retry-After), nothing accepted is dropped, and everything flows
 * again once the writer catches up. The writer is held with a maintenance task that waits.
 */
class IngestionBackpressureTest {
  static final Instant NOW = Instant.parse("2026-03-18T15:20:00Z");

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  private static List<UsageEvent> events(String subject, String prefix, int n) {
    List<UsageEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new UsageEvent(
              subject,
              prefix + i,
              UsageEvent.TRACK,
              "chat.send",
              NOW.toEpochMilli() - 1000 - i,
              "app-events",
              null));
    }
    return out;
  }

  /** The backlog drops right after the futures of a write complete. */
  private static void awaitZero(Ingestion ingestion) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ingestion.backlog() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(ingestion.backlog()).isZero();
  }

  /** Holds the writer thread until released. */
  private static CountDownLatch hold(Ingestion ingestion) {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    ingestion.maintenance(
        () -> {
          holding.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    try {
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return release;
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void a_full_queue_refuses_more_keeps_what_it_took_and_recovers(String kind) throws Exception {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      String ana = w.person(true);
      InProcessIngestion ingestion =
          new InProcessIngestion(
              new UsageWriter(
                  w.db(),
                  new Sessions(30 * 60_000L, 24 * 3_600_000L),
                  Clock.fixed(NOW, java.time.ZoneOffset.UTC),
                  new RecentMessages(7, 1_000_000)),
              1_000);
      try {
        CountDownLatch release = hold(ingestion);
        List<CompletableFuture<Ingestion.Written>> taken = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
          taken.add(ingestion.submit(events(ana, "b" + b + "-", 100)));
        }
        assertThat(ingestion.backlog()).isEqualTo(1_000);
        for (int i = 0; i < 5; i++) {
          assertThatThrownBy(() -> ingestion.submit(events(ana, "x-", 1)))
              .isInstanceOfSatisfying(
                  CandorException.class,
                  e -> assertThat(e.kind()).isEqualTo(CandorException.Kind.UNAVAILABLE));
        }
        // Refusals leave no trace in the bound.
        assertThat(ingestion.backlog()).isEqualTo(1_000);
        assertThat(taken).noneMatch(CompletableFuture::isDone);

        release.countDown();
        for (CompletableFuture<Ingestion.Written> f : taken) {
          assertThat(f.get(30, TimeUnit.SECONDS).inserted()).isEqualTo(100);
        }
        awaitZero(ingestion);
        assertThat(ingestion.submit(events(ana, "after-", 1)).get(30, TimeUnit.SECONDS).inserted())
            .isEqualTo(1);
        assertThat(w.count("SELECT COUNT(*) FROM usage_events WHERE subject_id = ?", ana))
            .isEqualTo(1_001);
        ingestion.maintenance(() -> {}).join();
        UsageBruteForce.defaults()
            .assertConsistent(w.db(), "after the backlog drained", new java.util.Random(1), 20);
      } finally {
        ingestion.close();
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_api_answers_503_with_retry_after_when_the_writer_is_behind(String kind)
      throws Exception {
    try (UsageWorld w = new UsageWorld(kind, dir, NOW)) {
      String ana = w.person(true);
      Ingestion ingestion = w.candor().usage().ingestion();
      CountDownLatch release = hold(ingestion);
      // Fill the real queue to its bound (events of nobody: nothing to write once released).
      String nobody = UUID.randomUUID().toString();
      List<CompletableFuture<Ingestion.Written>> taken = new ArrayList<>();
      for (int b = 0; b < InProcessIngestion.CAPACITY / 1_000; b++) {
        taken.add(ingestion.submit(events(nobody, "q" + b + "-", 1_000)));
      }
      assertThat(w.candor().usage().backlog()).isEqualTo(InProcessIngestion.CAPACITY);

      String body =
          UsageWorld.text(
              UsageWorld.NODES
                  .objectNode()
                  .set(
                      "batch",
                      UsageWorld.NODES
                          .arrayNode()
                          .add(
                              UsageWorld.event(
                                  ana, "m-1", "track", "chat.send", NOW.toEpochMilli()))));
      Http.Response refused = w.http.post("/v1/events", w.events, body);
      assertThat(refused.status()).as("%s", refused).isEqualTo(503);
      assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
      assertThat(Integer.parseInt(refused.header("Retry-After"))).isPositive();
      JsonNode problem = refused.json();
      assertThat(problem.get("status").asInt()).isEqualTo(503);
      assertThat(problem.get("detail").asText()).isNotBlank();
      assertThat(w.candor().usage().backlog()).isEqualTo(InProcessIngestion.CAPACITY);
      assertThat(w.countNow("SELECT COUNT(*) FROM usage_events")).isZero();

      release.countDown();
      for (CompletableFuture<Ingestion.Written> f : taken) {
        assertThat(f.get(30, TimeUnit.SECONDS).gone()).isEqualTo(1_000);
      }
      Http.Response accepted = w.http.post("/v1/events", w.events, body);
      assertThat(accepted.status()).as("%s", accepted).isEqualTo(200);
      assertThat(accepted.json().get("accepted").asInt()).isEqualTo(1);
      awaitZero(ingestion);
    }
  }
}
