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
import org.jspecify.annotations.Nullable;
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
 * <p>This is the one group commit of the core; a domain supplies only its {@link Writer}, which
 * answers each item (what became of it: stored, dropped, ...) once the whole group is durable.
 *
 * @param <T> one queued item
 * @param <R> what the writer answers for one item ({@code Void} when there is nothing to say)
 */
public final class GroupCommit<T, R> implements AutoCloseable {

  /**
   * Writes one group inside the open transaction and returns one answer per item, in the group's
   * order; throwing rolls the whole group back and fails every item of it.
   */
  @FunctionalInterface
  public interface Writer<T, R> {
    List<R> write(Handle handle, List<T> group);
  }

  /** A writer with nothing to answer per item. */
  public static <T> Writer<T, Void> silent(java.util.function.BiConsumer<Handle, List<T>> write) {
    return (h, group) -> {
      write.accept(h, group);
      return java.util.Collections.nCopies(group.size(), null);
    };
  }

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  private static final long WAIT_SECONDS = 30;

  private record Queued<T, R>(T item, CompletableFuture<R> done) {}

  private final String name;
  private final Database db;
  private final Writer<T, R> writer;
  private final int maxBatch;
  private final BlockingQueue<Queued<T, R>> queue;
  private final Thread thread;
  private final Thread syncer;
  private final BlockingQueue<Answered<T, R>> committed =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private volatile boolean running = true;
  private volatile boolean syncing = true;

  /**
   * @param name names the writer thread ({@code candor-<name>}) and the 503 detail
   * @param maxBatch the most items one transaction takes
   * @param capacity the most items waiting; past it, {@link #commit} answers 503
   */
  public GroupCommit(String name, Database db, Writer<T, R> writer, int maxBatch, int capacity) {
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

  /** Queues {@code item}; the future completes with its answer once durable, or fails (503). */
  public CompletableFuture<R> submit(T item) {
    CompletableFuture<R> done = new CompletableFuture<>();
    if (!running) {
      done.completeExceptionally(unavailable("Candor is shutting down"));
    } else if (!queue.offer(new Queued<>(item, done))) {
      done.completeExceptionally(unavailable("the " + name + " writer is behind; retry"));
    }
    return done;
  }

  /** Items waiting to be written (a metric). */
  public int backlog() {
    return queue.size();
  }

  /** Queues {@code item} and returns its answer once durable; 503 when it cannot be made so. */
  public R commit(T item) {
    return await(submit(item));
  }

  /** Waits for {@code done}, turning a failure or a timeout into 503 (a domain error as is). */
  public R await(CompletableFuture<R> done) {
    return await(done, name);
  }

  /**
   * Waits for {@code done}, a future of the group commit {@code name} or one derived from it, as
   * {@link #await(CompletableFuture)} does.
   */
  public static <X> X await(CompletableFuture<X> done, String name) {
    try {
      return done.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted; retry");
    } catch (TimeoutException e) {
      throw unavailable("the " + name + " writer did not answer in time; retry");
    } catch (ExecutionException e) {
      throw failure(e.getCause(), name);
    }
  }

  /**
   * Queues {@code item} without waiting: the future completes with its answer once durable, or
   * fails with the 503 (or the domain error) that {@link #commit} would throw, within the same time
   * bound.
   */
  public CompletableFuture<R> submitBounded(T item) {
    CompletableFuture<R> out = new CompletableFuture<>();
    submit(item)
        .orTimeout(WAIT_SECONDS, TimeUnit.SECONDS)
        .whenComplete(
            (answer, e) -> {
              if (e == null) {
                out.complete(answer);
              } else {
                Throwable cause =
                    e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
                out.completeExceptionally(
                    cause instanceof TimeoutException
                        ? unavailable("the " + name + " writer did not answer in time; retry")
                        : failure(cause, name));
              }
            });
    return out;
  }

  private static CandorException failure(@Nullable Throwable cause, String name) {
    return cause instanceof CandorException c
        ? c
        : unavailable("the " + name + " could not be written; retry");
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      try {
        Queued<T, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        List<Queued<T, R>> group = new ArrayList<>(Math.min(maxBatch, queue.size() + 1));
        group.add(first);
        queue.drainTo(group, maxBatch - 1);
        List<R> answers = writeGroup(group);
        if (answers != null) {
          committed.add(new Answered<>(group, answers));
        }
      } catch (InterruptedException e) {
        if (running) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** A group committed, not yet synced, with the writer's answers. */
  private record Answered<T, R>(List<Queued<T, R>> group, List<R> answers) {
    void complete() {
      for (int i = 0; i < group.size(); i++) {
        group.get(i).done().complete(answers.get(i));
      }
    }

    void fail(Throwable e) {
      group.forEach(q -> q.done().completeExceptionally(e));
    }
  }

  /**
   * Writes and commits one group, not yet synced, and returns the writer's answers; null (and the
   * group failed) when the transaction failed.
   */
  private @Nullable List<R> writeGroup(List<Queued<T, R>> group) {
    List<T> items = new ArrayList<>(group.size());
    group.forEach(q -> items.add(q.item()));
    List<List<R>> answers = new ArrayList<>(1);
    for (int attempt = 1; ; attempt++) {
      try {
        return writeOnce(items, answers);
      } catch (RuntimeException e) {
        if (attempt < RETRIES && Database.isRetryable(e)) {
          // Two nodes' groups locked the same rows in opposite orders; PostgreSQL chose this one
          // to fail. Nothing of it is committed: write the whole group again.
          continue;
        }
        // The class name and SQL state only: the items may hold personal data.
        LOG.warn(
            "{}: a group of {} failed after {} attempt(s): {} (SQL state {})",
            name,
            items.size(),
            attempt,
            e.getClass().getName(),
            Database.sqlState(e).orElse("none"));
        group.forEach(q -> q.done().completeExceptionally(e));
        return null;
      }
    }
  }

  private static final int RETRIES = 5;

  /** One attempt: writes and commits the group (not yet synced); the writer's answers. */
  private List<R> writeOnce(List<T> items, List<List<R>> answers) {
    db.useTransactionFlushedLater(
        h -> {
          List<R> out = writer.write(h, items);
          if (out.size() != items.size()) {
            // Rolled back: a request must never be failed for what was stored.
            throw new IllegalStateException(
                name + ": the writer answered " + out.size() + " of " + items.size() + " items");
          }
          answers.clear(); // a retried transaction answers afresh
          answers.add(out);
        });
    return answers.get(0);
  }

  /** Makes every group committed so far durable with one sync, then answers their requests. */
  private void sync() {
    List<Answered<T, R>> groups = new ArrayList<>();
    while (syncing || !committed.isEmpty()) {
      try {
        Answered<T, R> first = committed.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        groups.add(first);
        committed.drainTo(groups);
        try {
          db.flush();
          groups.forEach(Answered::complete);
        } catch (RuntimeException e) {
          LOG.warn("{}: syncing {} groups failed: {}", name, groups.size(), e.getClass().getName());
          groups.forEach(g -> g.fail(e));
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
    Queued<T, R> left;
    while ((left = queue.poll()) != null) {
      left.done().completeExceptionally(unavailable("Candor is shutting down"));
    }
  }

  private static CandorException unavailable(String detail) {
    return new CandorException(CandorException.Kind.UNAVAILABLE, detail);
  }
}
