package app.candor.bench;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.usage.BulkLoader;
import app.candor.usage.Ingestion;
import app.candor.usage.UsageEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The usage writer alone ({@code --only writer}): Candor's ingestion writer on the embedded
 * database, fed in-process with already validated events shaped like the HTTP benchmark's (each
 * person's sessions in order, 200 bytes of ciphertext each), as fast as it takes them. No HTTP, no
 * JSON, no encryption: what the single writer thread costs per event, and how many it stores a
 * second when nothing else competes for the cores. A development tool for the write path, not a
 * figure of the issue.
 */
final class WriterBench {
  private final UsageBench settings;

  WriterBench(UsageBench settings) {
    this.settings = settings;
  }

  String run(Path work) throws Exception {
    Path dir = Files.createTempDirectory(work, "writer-");
    try (Candor candor = Candor.open(Config.forDataDir(dir.resolve("candor")))) {
      List<String> ids = BenchUtil.createPeople(candor, settings.people, 5);
      Gen gen = new Gen(ids, settings.batch);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      StringBuilder out = new StringBuilder();
      out.append("### The usage writer alone (in-process, SQLite, no HTTP)\n\n");
      out.append(
          "| run | events | events/s | writer CPU per event | checkpoint CPU per event |"
              + " disk writes per event | catch-up after |\n");
      out.append("|---|---|---|---|---|---|---|\n");
      try (BulkLoader loader =
          new BulkLoader(candor.database(), candor.config().usage(), Clock.systemUTC())) {
        for (String phase : List.of("warmup", "measured")) {
          int seconds = phase.equals("warmup") ? settings.warmupSeconds : settings.durationSeconds;
          long writerCpu0 = writerCpu(threads);
          long checkpointCpu0 = cpu(threads, "candor-sqlite-checkpoint");
          long written0 = bytesWritten();
          long start = System.nanoTime();
          long end = start + seconds * 1_000_000_000L;
          long events = 0;
          ArrayDeque<CompletableFuture<Ingestion.Written>> pending = new ArrayDeque<>();
          while (System.nanoTime() < end) {
            List<UsageEvent> batch = gen.next();
            pending.add(loader.submit(batch));
            events += batch.size();
            while (pending.size() > 200) {
              pending.poll().join();
            }
          }
          while (!pending.isEmpty()) {
            pending.poll().join();
          }
          double secs = (System.nanoTime() - start) / 1e9;
          long cpu = writerCpu(threads) - writerCpu0;
          long checkpointCpu = cpu(threads, "candor-sqlite-checkpoint") - checkpointCpu0;
          long written = bytesWritten() - written0;
          long t = System.nanoTime();
          loader.catchUp();
          double catchUp = (System.nanoTime() - t) / 1e9;
          String row =
              String.format(
                  "| %s | %,d | %,.0f | %.1f us | %.1f us | %,.0f B | %.1f s |%n",
                  phase,
                  events,
                  events / secs,
                  cpu / 1e3 / events,
                  checkpointCpu / 1e3 / events,
                  written / (double) events,
                  catchUp);
          BenchUtil.log("writer: %s", row.trim());
          if (phase.equals("measured")) {
            out.append(row);
          }
        }
        if (!settings.paced.isEmpty()) {
          out.append("\n| paced at | events/s | batch p50 | p99 | p99.9 | max |\n");
          out.append("|---|---|---|---|---|---|\n");
        }
        for (int rate : settings.paced) {
          out.append(paced(loader, gen, rate));
        }
      }
      return out.toString();
    } finally {
      if (!settings.keep) {
        BenchUtil.deleteTree(dir);
      }
    }
  }

  /** Batches submitted at a fixed rate; latency from submission to commit, per batch. */
  private String paced(BulkLoader loader, Gen gen, int rate) throws Exception {
    loader.catchUp();
    long interval = 1_000_000_000L * settings.batch / rate;
    int n = (int) ((long) settings.durationSeconds * rate / settings.batch);
    long[] latency = new long[n];
    List<CompletableFuture<Ingestion.Written>> all = new ArrayList<>(n);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      while (System.nanoTime() < due) {
        java.util.concurrent.locks.LockSupport.parkNanos(
            Math.min(due - System.nanoTime(), 200_000));
      }
      List<UsageEvent> batch = gen.next();
      long sent = System.nanoTime();
      int k = i;
      all.add(loader.submit(batch).whenComplete((w, e) -> latency[k] = System.nanoTime() - sent));
    }
    all.forEach(CompletableFuture::join);
    double secs = (System.nanoTime() - start) / 1e9;
    long[] sorted = latency.clone();
    java.util.Arrays.sort(sorted);
    String row =
        String.format(
            "| %,d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
            rate,
            n * (double) settings.batch / secs,
            sorted[n / 2] / 1e6,
            sorted[(int) (n * 0.99)] / 1e6,
            sorted[(int) (n * 0.999)] / 1e6,
            sorted[n - 1] / 1e6);
    BenchUtil.log("writer paced: %s", row.trim());
    return row;
  }

  /** Events like the HTTP benchmark's: each person's sessions in order, current timestamps. */
  private static final class Gen {
    private final List<String> ids;
    private final int size;
    private final Random random = new Random(7);
    private final byte[] ciphertext;
    private final long[] lastAt;
    private final int[] left;

    Gen(List<String> ids, int size) {
      this.ids = ids;
      this.size = size;
      this.ciphertext = new byte[200];
      random.nextBytes(ciphertext);
      this.lastAt = new long[ids.size()];
      this.left = new int[ids.size()];
      java.util.Arrays.fill(left, -1);
    }

    List<UsageEvent> next() {
      List<UsageEvent> batch = new ArrayList<>(size);
      long now = System.currentTimeMillis();
      for (int i = 0; i < size; i++) {
        int p = random.nextInt(ids.size());
        long at = Math.max(now - random.nextInt(5_000), lastAt[p] + 1);
        lastAt[p] = at;
        String type;
        String name;
        if (left[p] < 0) {
          type = name = "session_start";
          left[p] = 1 + random.nextInt(24);
        } else if (left[p] == 0) {
          type = name = "session_end";
          left[p] = -1;
        } else {
          int f = Features.pick(random);
          type = Features.type(f);
          name = Features.NAMES[f];
          left[p]--;
        }
        batch.add(
            new UsageEvent(
                ids.get(p),
                new UUID(random.nextLong(), random.nextLong()).toString(),
                type,
                name,
                at,
                "app",
                ciphertext));
      }
      return batch;
    }
  }

  /** Bytes this process has caused to be written to disk so far (Linux), or 0. */
  private static long bytesWritten() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring(12).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not Linux: the column shows 0.
    }
    return 0;
  }

  private static long writerCpu(ThreadMXBean threads) {
    return cpu(threads, "candor-usage-writer");
  }

  private static long cpu(ThreadMXBean threads, String name) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        total += threads.getThreadCpuTime(t.getId());
      }
    }
    return total;
  }
}
