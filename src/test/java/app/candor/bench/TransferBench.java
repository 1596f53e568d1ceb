package app.candor.bench;

import app.candor.Candor;
import app.candor.core.access.Grant;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.payment.MethodInput;
import app.candor.payment.Money;
import app.candor.payment.Payments;
import app.candor.payment.TransferRequest;
import app.candor.payment.Transfers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Transfers posted durably through HTTP, wallet to wallet among many people, each with its own
 * {@code Idempotency-Key} and scored for fraud, driven from this process (a separate JVM from the
 * server) by {@link LoopClient}: closed loop for the rate, then paced at half of it for the p99.
 * With {@code --pg URL}, the same on PostgreSQL and, as the reference, {@code pgbench}'s TPC-B (its
 * built-in script: one account, teller and branch update, a history insert) on the same PostgreSQL
 * with as many clients, each transaction durable.
 *
 * <pre>
 * ./mvnw -q test-compile exec:exec@transfer-bench \
 *   -Dtransfer.bench.args='--people 100000 --seconds 20 --connections 64 \
 *   --pg jdbc:postgresql://127.0.0.1:5432/test?user=postgres'
 * </pre>
 *
 * Setup (not measured): the people are created in process, each gets a card and a top-up through
 * the payment services themselves (so the ledger holds real top-ups); after the run the ledger is
 * verified and the transfers counted against the answers.
 */
public final class TransferBench {

  private TransferBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int people = Integer.parseInt(opts.getOrDefault("people", "100000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int connections = Integer.parseInt(opts.getOrDefault("connections", "64"));
    System.out.println(BenchUtil.machine());
    System.out.printf(
        "Settings: %,d people; %d s per run after 10 s of warm-up; %d connections%n",
        people, seconds, connections);
    run("SQLite", Optional.empty(), people, seconds, connections);
    String url = opts.get("pg");
    if (url != null) {
      System.out.println(BenchUtil.pgDescription(url));
      String schema = BenchUtil.freshSchema(url, "transfer_bench");
      double candor;
      try {
        candor = run("PostgreSQL", Optional.of(schema), people, seconds, connections);
      } finally {
        BenchUtil.dropSchema(schema);
      }
      double tps = Pgbench.tpcb(url, connections, seconds);
      System.out.printf(
          "pgbench TPC-B on the same PostgreSQL, %d clients: %,.0f transactions/s;"
              + " Candor transfers/s on PostgreSQL / pgbench TPS = %.2fx (goal 10x)%n",
          Math.min(connections, 64), tps, candor / tps);
    }
  }

  /** Sets up, measures, verifies; returns the closed-loop transfers per second. */
  private static double run(
      String engine, Optional<String> dbUrl, int people, int seconds, int connections)
      throws Exception {
    Path dir = Files.createTempDirectory("candor-transfer-bench");
    Path data = dir.resolve("data");
    Config config = Config.forDataDir(data).withDbUrl(dbUrl);
    List<String> ids;
    long start = System.nanoTime();
    try (Candor candor = Candor.open(config)) {
      ids = BenchUtil.createPeople(candor, people, 42);
      fund(candor, ids);
    }
    BenchUtil.log(
        "transfer-bench %s: %,d people with a card and a top-up in %.0f s",
        engine, people, (System.nanoTime() - start) / 1e9);
    double rate;
    long acknowledged = 0;
    try (CandorServer server = CandorServer.start(data, dbUrl, List.of("-Xmx4g"))) {
      String key = CandorLocationRun.service(server, "bench-pay", "payments");
      AtomicLong keys = new AtomicLong();
      LoopClient.Source source =
          (n, r) -> {
            int from = r.nextInt(ids.size());
            int to = r.nextInt(ids.size() - 1);
            if (to >= from) {
              to++;
            }
            String body =
                "{\"from\":\""
                    + ids.get(from)
                    + "\",\"to\":{\"userId\":\""
                    + ids.get(to)
                    + "\"},\"amount\":{\"amount\":"
                    + (1 + r.nextInt(500))
                    + ",\"currency\":\"EUR\"},\"source\":\"wallet\"}";
            return GeoLoad.http(
                "POST",
                "/v1/transfers",
                key,
                body,
                "Idempotency-Key",
                "bench-" + keys.incrementAndGet());
          };
      long[] pids = {server.pid(), ProcessHandle.current().pid()};
      LoopClient.Plan closed =
          LoopClient.Plan.closed(server.port, LoopClient.Protocol.HTTP, connections, 10, seconds)
              .cpuOf(pids);
      LoopClient.Result r = LoopClient.run(closed, source, null);
      acknowledged += r.countedAll();
      rate = r.okPerSecond();
      LoopClient.Result paced = LoopClient.run(closed.paced(rate / 2), source, null);
      acknowledged += paced.countedAll();
      System.out.printf(
          "%n%s, transfers through HTTP (durable, idempotency key, fraud score):%n", engine);
      System.out.println(
          "| load | transfers/s | p50 | p99 | failures | server cores | client cores |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (var e : List.of(Map.entry("closed loop", r), Map.entry("paced at half", paced))) {
        LoopClient.Result x = e.getValue();
        System.out.printf(
            "| %s | %,.0f | %.2f ms | %.2f ms | %s | %.2f | %.2f |%n",
            e.getKey(), x.okPerSecond(), x.p50(), x.p99(), x.failureText(), x.cpu()[0], x.cpu()[1]);
      }
    }
    try (Candor candor = Candor.open(config)) {
      Payments.LedgerCheck check = candor.ledger().payments().verify();
      Map<String, Long> byStatus = new java.util.TreeMap<>();
      candor
          .database()
          .<Object, RuntimeException>withHandle(
              h -> {
                h.createQuery("SELECT kind, status, COUNT(*) FROM transfers GROUP BY kind, status")
                    .map(
                        (rs, ctx) ->
                            byStatus.put(rs.getString(1) + " " + rs.getString(2), rs.getLong(3)))
                    .list();
                return null;
              });
      long transfers =
          byStatus.entrySet().stream()
              .filter(e -> e.getKey().startsWith("transfer "))
              .mapToLong(Map.Entry::getValue)
              .sum();
      System.out.printf(
          "%s: %,d transfers answered 201, %,d stored %s; ledger %s (totals %s)%n",
          engine,
          acknowledged,
          transfers,
          byStatus,
          check.ok() ? "verified" : "FAILED",
          check.totals());
    }
    BenchUtil.deleteTree(dir);
    return rate;
  }

  /**
   * A card and a top-up of 20,000 cents for everyone, through the payment services (a larger first
   * top-up from a card added a moment ago is what the fraud check declines).
   */
  private static void fund(Candor candor, List<String> ids) throws Exception {
    Payments payments = candor.payments();
    Caller.Service service =
        new Caller.Service("bench-setup", "bench-setup", Set.of(Purpose.PAYMENTS));
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        int me = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = me; i < ids.size(); i += 32) {
                    String id = ids.get(i);
                    Grant grant = candor.gate().change(service, id, Transfers.MOVE);
                    String pm =
                        payments
                            .methods()
                            .add(
                                grant,
                                new MethodInput.Card(card(i), 12, 2099, "123", "Bench Person " + i))
                            .id();
                    payments.move(
                        grant,
                        Optional.of("fund-" + i),
                        new TransferRequest(
                            "top_up",
                            id,
                            Optional.empty(),
                            Optional.empty(),
                            new Money(20_000, payments.currency()),
                            Optional.of(pm),
                            Optional.empty(),
                            Optional.empty()));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /** A Luhn-valid Visa number of its own for person {@code i}. */
  static String card(int i) {
    String digits = String.format("4%014d", 500_000_000L + i);
    try {
      return digits
          + org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit.LUHN_CHECK_DIGIT
              .calculate(digits);
    } catch (org.apache.commons.validator.routines.checkdigit.CheckDigitException e) {
      throw new IllegalStateException(e);
    }
  }
}
