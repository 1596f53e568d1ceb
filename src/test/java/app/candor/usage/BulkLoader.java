package app.candor.usage;

import app.candor.core.config.Config;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * For the usage benchmark (test sources, so no main-code seam is needed): Candor's own ingestion
 * writer ({@link InProcessIngestion} over {@link UsageWriter}: group commit, sessions, every
 * rollup) fed directly with already validated events, skipping HTTP, JSON and per-event encryption,
 * to load millions of events quickly. Events go through exactly the write path the API uses.
 */
public final class BulkLoader implements AutoCloseable {
  private final InProcessIngestion ingestion;

  public BulkLoader(Database db, Config.Usage settings, Clock clock) {
    Sessions sessions =
        new Sessions(
            Duration.ofMinutes(settings.sessionGapMinutes()).toMillis(),
            Duration.ofHours(settings.sessionMaxHours()).toMillis());
    this.ingestion =
        new InProcessIngestion(
            new UsageWriter(
                db,
                sessions,
                clock,
                new RecentMessages(settings.dedupeDays(), settings.dedupeMaxIds())));
  }

  /** Queues events; the future completes once they are committed. */
  public CompletableFuture<Ingestion.Written> submit(List<UsageEvent> events) {
    return ingestion.submit(events);
  }

  /** Returns once every event committed so far is rolled up. */
  public void catchUp() {
    ingestion.maintenance(() -> {}).join();
  }

  /** Events queued but not yet committed. */
  public long backlog() {
    return ingestion.backlog();
  }

  /** The most events the writer takes in one transaction. */
  public static int maxGroup() {
    return InProcessIngestion.MAX_GROUP;
  }

  @Override
  public void close() {
    ingestion.close();
  }
}
