package app.candor.usage;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where accepted usage events go to be stored. The in-process implementation (the default) writes
 * them to the database with group commit; at scale, an implementation backed by a Kafka topic
 * partitioned by person id would sit here, with the same writer consuming it.
 */
public interface Ingestion extends AutoCloseable {

  /** How one submission fared once committed. */
  record Written(int inserted, int duplicates, int gone) {}

  /**
   * Queues {@code events} for storage. The future completes once they are durably committed (or
   * fails). Throws {@link app.candor.core.errors.CandorException} UNAVAILABLE when the writer is
   * too far behind to take more (backpressure, never unbounded memory).
   */
  CompletableFuture<Written> submit(List<UsageEvent> events);

  /** Events accepted but not yet answered (committed and made durable). */
  long backlog();

  /** Runs {@code task} in the writer, serialized with event writes (retention purges). */
  CompletableFuture<Void> maintenance(Runnable task);

  @Override
  void close();
}
