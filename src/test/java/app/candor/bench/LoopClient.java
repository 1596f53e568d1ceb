package app.candor.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One load generator for every server the location benchmark compares, so that the client is not
 * what differs: like wrk and redis-benchmark, an event loop per thread over non-blocking
 * connections, each connection with one request in flight (no pipelining), speaking HTTP/1.1
 * keep-alive or the Redis protocol (RESP). Closed loop (a connection sends its next request when
 * the answer arrives), or paced (open loop: each connection on a fixed schedule, a request's
 * latency counted from when it was due, so that a server falling behind cannot hide it).
 */
final class LoopClient {

  enum Protocol {
    HTTP,
    RESP
  }

  /** Makes request {@code n}, numbered from 0 across all connections of the run. */
  interface Source {
    byte[] request(long n, Random random);
  }

  /** What one successful answer counts for (people found, updates stored); its body. */
  interface Counter {
    long count(byte[] body);
  }

  /**
   * @param perSecond 0 for a closed loop, else the total rate over all connections
   * @param requests 0 to run for {@code warmupSeconds + seconds}, else exactly this many requests
   *     (no warm-up) and then stop
   * @param pids processes whose CPU is measured over the measured seconds (server, client)
   */
  record Plan(
      int port,
      Protocol protocol,
      int connections,
      int threads,
      double warmupSeconds,
      double seconds,
      double perSecond,
      long requests,
      long[] pids) {

    static Plan closed(int port, Protocol protocol, int connections, double warmup, double s) {
      return new Plan(
          port, protocol, connections, Math.min(2, connections), warmup, s, 0, 0, new long[0]);
    }

    Plan paced(double rate) {
      return new Plan(
          port, protocol, connections, threads, warmupSeconds, seconds, rate, requests, pids);
    }

    Plan requests(long n) {
      return new Plan(port, protocol, connections, threads, 0, 0, perSecond, n, pids);
    }

    Plan cpuOf(long... processes) {
      return new Plan(
          port,
          protocol,
          connections,
          threads,
          warmupSeconds,
          seconds,
          perSecond,
          requests,
          processes);
    }
  }

  /**
   * Answers in the measured window: successful ones, what they counted for, failures by kind, and
   * latency percentiles in ms; {@code countedAll} also counts the warm-up and answers after the
   * window; {@code cpu[i]} is the cores {@code pids[i]} used in the window.
   */
  record Result(
      long ok,
      long counted,
      long countedAll,
      Map<String, Long> failures,
      double seconds,
      double p50,
      double p99,
      double p999,
      double[] cpu) {
    double okPerSecond() {
      return ok / seconds;
    }

    double countedPerSecond() {
      return counted / seconds;
    }

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    String failureText() {
      return failures.isEmpty() ? "0" : failures.toString();
    }
  }

  private LoopClient() {}

  static Result run(Plan plan, Source source, Counter counter) throws Exception {
    long start = System.nanoTime();
    boolean byCount = plan.requests() > 0;
    long from = byCount ? start : start + (long) (plan.warmupSeconds() * 1e9);
    long to = byCount ? Long.MAX_VALUE : from + (long) (plan.seconds() * 1e9);
    AtomicLong sequence = new AtomicLong();
    List<Worker> workers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < plan.threads(); t++) {
      int share =
          plan.connections() / plan.threads() + (t < plan.connections() % plan.threads() ? 1 : 0);
      Worker w = new Worker(plan, share, t, source, counter, sequence, start, from, to);
      workers.add(w);
      Thread th = new Thread(w, "loop-client-" + t);
      threads.add(th);
      th.start();
    }
    double[] cpuBefore = cpu(plan.pids());
    long cpuFrom = System.nanoTime();
    if (!byCount) {
      sleepUntil(from);
      cpuBefore = cpu(plan.pids());
      cpuFrom = System.nanoTime();
    }
    for (Thread th : threads) {
      th.join();
    }
    double[] cpuAfter = cpu(plan.pids());
    double cpuSeconds = (System.nanoTime() - cpuFrom) / 1e9;
    long end = byCount ? System.nanoTime() : to;
    double[] cores = new double[cpuAfter.length];
    for (int i = 0; i < cores.length; i++) {
      cores[i] = (cpuAfter[i] - cpuBefore[i]) / cpuSeconds;
    }
    long ok = 0;
    long counted = 0;
    long countedAll = 0;
    Map<String, Long> failures = new HashMap<>();
    long[] all = new long[0];
    for (Worker w : workers) {
      if (w.error != null) {
        throw new IOException("load generator failed: " + w.error, w.error);
      }
      ok += w.ok;
      counted += w.counted;
      countedAll += w.countedAll;
      w.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
      int n = all.length;
      all = Arrays.copyOf(all, n + w.latencyCount);
      System.arraycopy(w.latencies, 0, all, n, w.latencyCount);
    }
    Arrays.sort(all);
    return new Result(
        ok,
        counted,
        countedAll,
        failures,
        (end - from) / 1e9,
        BenchUtil.pct(all, 50),
        BenchUtil.pct(all, 99),
        BenchUtil.pct(all, 99.9),
        cores);
  }

  private static double[] cpu(long[] pids) {
    double[] out = new double[pids.length];
    for (int i = 0; i < pids.length; i++) {
      out[i] = BenchUtil.processCpuSeconds(pids[i]);
    }
    return out;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  /** One connection: the request being sent, the answer being read, when it counts from. */
  private static final class Conn {
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    byte[] in = new byte[16 * 1024];
    int filled;
    long sentAt;
    long due;
    boolean busy;
  }

  /** One thread's event loop over its share of the connections. */
  private static final class Worker implements Runnable {
    private final Plan plan;
    private final Conn[] conns;
    private final Source source;
    private final Counter counter;
    private final AtomicLong sequence;
    private final long from;
    private final long to;
    private final long interval;
    private final Random random;
    private final Map<String, Long> failures = new HashMap<>();
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private long ok;
    private long counted;
    private long countedAll;
    private boolean exhausted;
    private Exception error;
    private Selector selector;

    Worker(
        Plan plan,
        int share,
        int index,
        Source source,
        Counter counter,
        AtomicLong sequence,
        long start,
        long from,
        long to) {
      this.plan = plan;
      this.conns = new Conn[share];
      this.source = source;
      this.counter = counter;
      this.sequence = sequence;
      this.from = from;
      this.to = to;
      this.random = new Random(1_000 + index);
      // Paced: each connection sends every `interval`, the connections spread over it evenly.
      this.interval =
          plan.perSecond() > 0 ? (long) (plan.connections() / plan.perSecond() * 1e9) : 0;
      for (int i = 0; i < share; i++) {
        conns[i] = new Conn();
        conns[i].due = start + interval * (i * plan.threads() + index) / plan.connections();
      }
    }

    @Override
    public void run() {
      try (Selector s = Selector.open()) {
        selector = s;
        for (Conn c : conns) {
          connect(c);
        }
        loop();
      } catch (Exception e) {
        error = e;
      } finally {
        for (Conn c : conns) {
          closeQuietly(c);
        }
      }
    }

    private void loop() throws IOException {
      while (true) {
        long now = System.nanoTime();
        if (now >= to) {
          return;
        }
        long wait = Long.MAX_VALUE;
        boolean anyBusy = false;
        for (Conn c : conns) {
          if (!c.busy && !exhausted) {
            if (interval == 0 || c.due <= now) {
              send(c, now);
            } else {
              wait = Math.min(wait, c.due - now);
            }
          }
          anyBusy |= c.busy;
        }
        if (exhausted && !anyBusy) {
          return;
        }
        long timeoutMs = wait == Long.MAX_VALUE ? 50 : Math.max(1, wait / 1_000_000);
        timeoutMs = Math.min(timeoutMs, Math.max(1, (to - now) / 1_000_000));
        selector.select(timeoutMs);
        for (SelectionKey k : selector.selectedKeys()) {
          Conn c = (Conn) k.attachment();
          if (k.isValid() && k.isWritable()) {
            flush(c);
          }
          if (k.isValid() && k.isReadable()) {
            read(c);
          }
        }
        selector.selectedKeys().clear();
      }
    }

    private void connect(Conn c) throws IOException {
      SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", plan.port()));
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.configureBlocking(false);
      c.channel = ch;
      c.key = ch.register(selector, SelectionKey.OP_READ, c);
      c.filled = 0;
      c.busy = false;
    }

    private void send(Conn c, long now) throws IOException {
      long n = sequence.getAndIncrement();
      if (plan.requests() > 0 && n >= plan.requests()) {
        exhausted = true;
        return;
      }
      c.out = ByteBuffer.wrap(source.request(n, random));
      c.sentAt = interval == 0 ? now : c.due;
      c.due += interval;
      c.busy = true;
      flush(c);
    }

    private void flush(Conn c) throws IOException {
      c.channel.write(c.out);
      c.key.interestOps(
          c.out.hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ);
    }

    private void read(Conn c) throws IOException {
      if (c.filled == c.in.length) {
        c.in = Arrays.copyOf(c.in, c.in.length * 2);
      }
      int n;
      try {
        n = c.channel.read(ByteBuffer.wrap(c.in, c.filled, c.in.length - c.filled));
      } catch (IOException e) {
        n = -1;
      }
      if (n < 0) {
        // The server closed the connection: a failure if a request was in flight; reconnect.
        if (c.busy) {
          fail("connection closed");
        }
        closeQuietly(c);
        connect(c);
        return;
      }
      c.filled += n;
      int end =
          plan.protocol() == Protocol.HTTP
              ? Wire.Http.end(c.in, c.filled)
              : Wire.Resp.end(c.in, 0, c.filled);
      if (end < 0) {
        return;
      }
      long done = System.nanoTime();
      c.busy = false;
      boolean measured = done >= from && done <= to;
      String failure =
          plan.protocol() == Protocol.HTTP ? Wire.Http.failure(c.in) : Wire.Resp.failure(c.in);
      long count = 0;
      if (failure == null) {
        count =
            counter == null
                ? 1
                : counter.count(
                    plan.protocol() == Protocol.HTTP
                        ? Wire.Http.body(c.in, end)
                        : Arrays.copyOf(c.in, end));
        countedAll += count;
      }
      if (measured) {
        if (failure == null) {
          ok++;
          counted += count;
        } else {
          fail(failure);
        }
        if (latencyCount == latencies.length) {
          latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = done - c.sentAt;
      }
      // One request in flight per connection: nothing follows the answer.
      c.filled = 0;
    }

    private void fail(String kind) {
      failures.merge(kind, 1L, Long::sum);
    }

    private static void closeQuietly(Conn c) {
      try {
        if (c.channel != null) {
          c.channel.close();
        }
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }
}
