package app.candor.usage;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Measures the heap the usage writer's dedupe window takes per remembered id, in process (not a
 * test; run on demand, see the README): for each bound given, fills a window past it (a fifth more
 * ids than the bound, 1,000 a second of simulated arrival time) and reports the heap retained after
 * a full collection, per id, beside what the window counts of its own arrays, the peak of the heap
 * pools during the fill, and the time per add once full.
 *
 * <pre>
 * ./mvnw -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -Xmx8g -cp target/classes:target/test-classes:$(cat cp.txt) \
 *   app.candor.usage.DedupeMemoryBench 1000000 10000000 50000000 100000000
 * </pre>
 */
public final class DedupeMemoryBench {
  private static final java.lang.management.ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private DedupeMemoryBench() {}

  public static void main(String[] args) {
    String[] bounds = args.length > 0 ? args : new String[] {"10000000", "100000000"};
    System.out.printf(
        "| max ids | ids added | retained heap | bytes per id | arrays counted | pool peaks"
            + " (sum) | CPU ns per add, full |%n|---|---|---|---|---|---|---|%n");
    for (String arg : bounds) {
      measure(Integer.parseInt(arg.replace("_", "")));
    }
  }

  private static void measure(int maxIds) {
    long before = retained();
    resetPeaks();
    RecentMessages window = new RecentMessages(7, maxIds);
    long start = 20_000 * 86_400_000L;
    long total = maxIds + maxIds / 5;
    long fullFrom = 0;
    long t0 = 0;
    for (long i = 0; i < total; i++) {
      if (i == maxIds) {
        fullFrom = i;
        t0 = CPU.getCurrentThreadCpuTime();
      }
      window.add(mix(i), start + i);
    }
    long nanos = CPU.getCurrentThreadCpuTime() - t0;
    long peak = peaks();
    long after = retained();
    long heap = after - before;
    System.out.printf(
        "| %,d | %,d | %,d MiB | %.1f | %.1f B/id | %,d MiB | %.0f |%n",
        maxIds,
        total,
        heap >> 20,
        (double) heap / maxIds,
        (double) window.bytesAllocated() / maxIds,
        peak >> 20,
        (double) nanos / (total - fullFrom));
    if (window.size() != maxIds) {
      throw new IllegalStateException("size " + window.size());
    }
  }

  /** Distinct, well spread fingerprints (MurmurHash3's finalizer over the counter). */
  private static long mix(long i) {
    long h = i + 0x9E3779B97F4A7C15L;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private static long retained() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peaks() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
