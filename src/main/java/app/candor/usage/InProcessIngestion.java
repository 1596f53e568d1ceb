package app.candor.usage;

import app.candor.core.errors.CandorException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Ingestion}: one writer thread with group commit. Requests queue up while a
 * transaction is being written; the next transaction takes everything waiting (up to a cap), so one
 * fsync acknowledges many requests and throughput grows with load. The commit is pipelined: the
 * writer commits a group without waiting for the disk and goes on to the next one, while a second
 * thread syncs the log and only then answers the group's requests (one sync answers every group
 * committed before it). The queue is bounded in events, until they are answered: beyond it, callers
 * are told to retry (503) instead of memory growing.
 */
public final class InProcessIngestion implements Ingestion {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessIngestion.class);

  /** Events waiting at most; beyond, submissions are refused. */
  public static final int CAPACITY = 200_000;

  /** Events written in one transaction at most. */
  static final int MAX_GROUP = 25_000;

  /** A roll-up slice commits on its own once no request has come for this long. */
  static final long IDLE_MILLIS = 5;

  private record Job(
      List<UsageEvent> events,
      @Nullable Runnable task,
      CompletableFuture<Written> done,
      CompletableFuture<Void> taskDone) {}

  /** A group committed, waiting for the sync that makes it durable before it is answered. */
  private record Committed(List<Job> group, int size, int[] outcome) {}

  private final UsageWriter writer;
  private final int capacity;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<Committed> committed = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Thread thread;
  private final Thread syncer;
  private volatile boolean running = true;

  InProcessIngestion(UsageWriter writer) {
    this(writer, CAPACITY);
  }

  /** With another bound (tests fill a small queue). */
  InProcessIngestion(UsageWriter writer, int capacity) {
    this.writer = writer;
    this.capacity = capacity;
    this.thread = new Thread(this::run, "candor-usage-writer");
    this.thread.setDaemon(true);
    this.syncer = new Thread(this::sync, "candor-usage-sync");
    this.syncer.setDaemon(true);
    this.thread.start();
    this.syncer.start();
  }

  @Override
  public CompletableFuture<Written> submit(List<UsageEvent> events) {
    if (!running) {
      throw new CandorException(CandorException.Kind.UNAVAILABLE, "Candor is shutting down");
    }
    if (queued.addAndGet(events.size()) > capacity) {
      queued.addAndGet(-events.size());
      throw new CandorException(
          CandorException.Kind.UNAVAILABLE, "the usage writer is behind; retry after a second");
    }
    CompletableFuture<Written> done = new CompletableFuture<>();
    queue.add(new Job(events, null, done, new CompletableFuture<>()));
    return done;
  }

  @Override
  public CompletableFuture<Void> maintenance(Runnable task) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Job(List.of(), task, new CompletableFuture<>(), done));
    return done;
  }

  @Override
  public long backlog() {
    return queued.get();
  }

  private void run() {
    recover();
    while (running || !queue.isEmpty()) {
      try {
        Job first = queue.poll(writer.rollUpDue() ? IDLE_MILLIS : 20, TimeUnit.MILLISECONDS);
        if (first == null) {
          rollUpStep();
          continue;
        }
        if (first.task() != null) {
          runTask(first);
          continue;
        }
        List<Job> group = new ArrayList<>();
        group.add(first);
        int size = first.events().size();
        while (size < MAX_GROUP) {
          Job next = queue.peek();
          if (next == null || next.task() != null) {
            break;
          }
          queue.poll();
          group.add(next);
          size += next.events().size();
        }
        // Rolling up goes on one short slice at a time, riding along with the group commits, or
        // on its own once no request has come for a few milliseconds.
        writeGroup(group, size);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("usage writer loop failed: {}", e.getClass().getName());
      }
    }
    rollUp();
  }

  /** Loads the writer's state; retried until the database answers (events wait meanwhile). */
  private void recover() {
    while (running) {
      try {
        writer.recover();
        return;
      } catch (RuntimeException e) {
        LOG.error("usage writer could not start, retrying: {}", e.getClass().getName());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void rollUpStep() {
    try {
      writer.rollUpStep();
    } catch (RuntimeException e) {
      // The class name only: a message could carry bound values. The slice is tried again.
      LOG.error("rolling up usage events failed: {}", e.getClass().getName());
      try {
        Thread.sleep(100);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void rollUp() {
    try {
      writer.rollUp();
    } catch (RuntimeException e) {
      // The class name only: a message could carry bound values. The events stay pending.
      LOG.error("rolling up usage events failed: {}", e.getClass().getName());
    }
  }

  private void runTask(Job job) {
    try {
      // Tasks (purges, catching up before a query) see every stored event rolled up.
      writer.rollUp();
      job.task().run();
      job.taskDone().complete(null);
    } catch (RuntimeException e) {
      job.taskDone().completeExceptionally(e);
    }
  }

  private void writeGroup(List<Job> group, int size) {
    List<UsageEvent> all = new ArrayList<>(size);
    group.forEach(j -> all.addAll(j.events()));
    try {
      committed.add(new Committed(group, size, writer.write(all)));
    } catch (RuntimeException e) {
      // The class name only: a message could carry bound values.
      LOG.error("writing {} usage events failed: {}", size, e.getClass().getName());
      fail(group, size, "the events could not be stored; retry");
    }
  }

  /**
   * The syncing thread: takes every group committed meanwhile, makes them durable with one sync,
   * then answers their requests. Runs until the writer has stopped and everything is answered.
   */
  private void sync() {
    List<Committed> groups = new ArrayList<>();
    while (thread.isAlive() || !committed.isEmpty()) {
      try {
        Committed first = committed.poll(20, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        groups.add(first);
        committed.drainTo(groups);
        try {
          writer.flush();
        } catch (RuntimeException e) {
          // The class name only. The events may well be stored: a retry is answered as duplicate.
          LOG.error("syncing usage events failed: {}", e.getClass().getName());
          groups.forEach(c -> fail(c.group(), c.size(), "the events could not be synced; retry"));
          continue;
        }
        groups.forEach(InProcessIngestion::answer);
        groups.forEach(c -> queued.addAndGet(-c.size()));
      } catch (RuntimeException e) {
        // Never expected (answering completes futures); the thread must not die with requests
        // waiting on it.
        LOG.error("answering usage writes failed: {}", e.getClass().getName());
        groups.forEach(c -> fail(c.group(), c.size(), "the events could not be answered; retry"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } finally {
        groups.clear();
      }
    }
  }

  private static void answer(Committed c) {
    int offset = 0;
    for (Job job : c.group()) {
      int inserted = 0;
      int duplicates = 0;
      int gone = 0;
      for (int i = 0; i < job.events().size(); i++) {
        int o = c.outcome()[offset + i];
        if (o == 1) inserted++;
        else if (o == 0) duplicates++;
        else gone++;
      }
      offset += job.events().size();
      job.done().complete(new Written(inserted, duplicates, gone));
    }
  }

  private void fail(List<Job> group, int size, String why) {
    group.forEach(
        j ->
            j.done()
                .completeExceptionally(new CandorException(CandorException.Kind.UNAVAILABLE, why)));
    queued.addAndGet(-size);
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(30_000);
      syncer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
