package app.candor.core.store;

import app.candor.core.errors.CandorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns many small writes from concurrent requests into few durable transactions: each request
 * queues its item and waits; one writer thread takes everything queued (up to {@code maxBatch}),
 * writes it in one transaction, commits once (one sync), and only then answers every request of the
 * group. While a group commits, the next one gathers, so the more requests arrive, the larger the
 * groups and the fewer syncs per item. A full queue answers 503 at once (backpressure) rather than
 * queueing without bound.
 *
 * <p>This is the one group commit of the core; a domain supplies only its {@link Writer}.
 *
 * @param <T> one queued item
 */
public final class GroupCommit<T> implements AutoCloseable {

  /** Writes one group inside the open transaction; throwing rolls the whole group back. */
  @FunctionalInterface
  public interface Writer<T> {
    void write(Handle handle, List<T> group);
  }

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  private static final long WAIT_SECONDS = 30;

  private record Queued<T>(T item, CompletableFuture<Void> done) {}

  private final String name;
  private final Database db;
  private final Writer<T> writer;
  private final int maxBatch;
  private final BlockingQueue<Queued<T>> queue;
  private final Thread thread;
  private final Thread syncer;
  private final BlockingQueue<List<Queued<T>>> committed =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private volatile boolean running = true;
  private volatile boolean syncing = true;

  /**
   * @param name names the writer thread ({@code candor-<name>}) and the 503 detail
   * @param maxBatch the most items one transaction takes
   * @param capacity the most items waiting; past it, {@link #commit} answers 503
   */
  public GroupCommit(String name, Database db, Writer<T> writer, int maxBatch, int capacity) {
    this.name = Objects.requireNonNull(name, "name");
    this.db = Objects.requireNonNull(db, "db");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.maxBatch = maxBatch;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, "candor-" + name);
    this.thread.setDaemon(true);
    this.syncer = new Thread(this::sync, "candor-" + name + "-sync");
    this.syncer.setDaemon(true);
    this.thread.start();
    this.syncer.start();
  }

  /** Queues {@code item}; the future completes once it is durable, or fails with 503. */
  public CompletableFuture<Void> submit(T item) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(unavailable("Candor is shutting down"));
    } else if (!queue.offer(new Queued<>(item, done))) {
      done.completeExceptionally(unavailable("the " + name + " writer is behind; retry"));
    }
    return done;
  }

  /** Queues {@code item} and returns once it is durable; 503 when it cannot be made so. */
  public void commit(T item) {
    await(submit(item));
  }

  /** Waits for {@code done}, turning a failure or a timeout into 503. */
  public void await(CompletableFuture<Void> done) {
    try {
      done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted; retry");
    } catch (TimeoutException e) {
      throw unavailable("the " + name + " writer did not answer in time; retry");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CandorException c) {
        throw c;
      }
      throw unavailable("the " + name + " could not be written; retry");
    }
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      try {
        Queued<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Queued<T>> group = new ArrayList<>(Math.min(maxBatch, queue.size() + 1));
        group.add(first);
        queue.drainTo(group, maxBatch - 1);
        if (writeGroup(group)) {
          committed.add(group);
        }
      } catch (InterruptedException e) {
        if (running) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Writes and commits one group, not yet synced; false (and the group answered) on failure. */
  private boolean writeGroup(List<Queued<T>> group) {
    List<T> items = new ArrayList<>(group.size());
    group.forEach(q -> items.add(q.item()));
    try {
      db.useTransactionFlushedLater(h -> writer.write(h, items));
      return true;
    } catch (RuntimeException e) {
      // The class name only: the items may hold personal data.
      LOG.warn("{}: a group of {} failed: {}", name, items.size(), e.getClass().getName());
      group.forEach(q -> q.done().completeExceptionally(e));
      return false;
    }
  }

  /** Makes every group committed so far durable with one sync, then answers their requests. */
  private void sync() {
    List<List<Queued<T>>> groups = new ArrayList<>();
    while (syncing || !committed.isEmpty()) {
      try {
        List<Queued<T>> first = committed.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        groups.add(first);
        committed.drainTo(groups);
        try {
          db.flush();
          groups.forEach(g -> g.forEach(q -> q.done().complete(null)));
        } catch (RuntimeException e) {
          LOG.warn("{}: syncing {} groups failed: {}", name, groups.size(), e.getClass().getName());
          groups.forEach(g -> g.forEach(q -> q.done().completeExceptionally(e)));
        }
      } catch (InterruptedException e) {
        if (syncing) {
          Thread.currentThread().interrupt();
          return;
        }
      } finally {
        groups.clear();
      }
    }
  }

  /** Writes what is queued, then stops the writer thread. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
      syncing = false;
      syncer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Queued<T> left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(unavailable("Candor is shutting down"));
    }
  }

  private static CandorException unavailable(String detail) {
    return new CandorException(CandorException.Kind.UNAVAILABLE, detail);
  }
}
