package app.candor.payment;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.store.Database;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded random workload of payments from many threads against one server (transfers to people
 * and merchants, holds captured in full or in part, voided, or left to expire, top-ups, pay-outs,
 * retries of one Idempotency-Key, sometimes at once, and requests that must fail), then the
 * ledger's invariants: every balance and hold equals what its transfers add up to (by {@code
 * Payments.verify()} and by this test's own sums over the {@code transfers} table), no wallet below
 * zero, each currency summing to zero, one transfer per key that got a 201, and every balance equal
 * to what the answers the clients got say it must be. A failure names its seed; rerun it with
 * {@code -Dcandor.ledger.seed=<seed>} (the threads' interleaving still varies).
 */
class LedgerPropertyTest {

  /** More than any wallet here ever holds: such a payment must be refused with 402. */
  private static final long TOO_MUCH = 900_000_000_000L;

  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(150)
  void random_concurrent_payments_keep_every_balance_equal_to_its_transfers(String kind)
      throws Exception {
    long seed = Long.getLong("candor.ledger.seed", new SecureRandom().nextLong());
    try (TestServer server = TestServer.start(kind, dir)) {
      new Workload(server, seed).run();
    } catch (Throwable e) {
      throw new AssertionError(
          "ledger property failed on "
              + kind
              + " with seed "
              + seed
              + " (rerun with -Dcandor.ledger.seed="
              + seed
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Found while writing this class (its random workload rarely hits it): holds between the same
   * wallets in opposite directions, at once. Each locks its own wallet, then both accounts' daily
   * totals; taken in another order by each, those deadlocked on PostgreSQL and one of the two was
   * answered 500.
   */
  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  @Timeout(90)
  void holds_between_the_same_wallets_in_opposite_directions_at_once_all_succeed(String kind)
      throws Exception {
    try (TestServer server = TestServer.start(kind, dir)) {
      String account = server.service("accounts", "account");
      PaymentClient client = new PaymentClient(server.http(), server.service("pay", "payments"));
      List<String> people = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String person = server.person(account);
        people.add(person);
        String card = client.card(person, cardNumber(i));
        assertThat(client.topUp(person, PaymentClient.walletMove(card, 20_000), "f" + i).status())
            .isEqualTo(201);
      }
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<String> failed = new ArrayList<>();
      try {
        for (int round = 0; round < 40; round++) {
          List<Future<Http.Response>> answers = new ArrayList<>();
          // Each of the three pairs, both ways, at once.
          for (int k = 0; k < 6; k++) {
            String from = people.get(k % 3);
            String to = people.get((k + 1 + k / 3) % 3);
            String body =
                PaymentClient.transfer(from, PaymentClient.toPerson(to), 10, Optional.of(600));
            String key = "r" + round + "-" + k;
            answers.add(pool.submit(() -> client.transfer(body, key)));
          }
          for (Future<Http.Response> a : answers) {
            Http.Response r = a.get(60, TimeUnit.SECONDS);
            if (r.status() != 201 || !r.json().get("status").asText().equals("held")) {
              failed.add(r.toString());
            }
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(failed).as("holds not answered 201 held").isEmpty();
      for (String person : people) {
        JsonNode wallet = client.http().get("/v1/users/" + person + "/wallet", client.pay()).json();
        // 80 holds of 10 from each: 40 to each of the two others.
        assertThat(wallet.get("held").get("amount").asLong()).isEqualTo(800);
        assertThat(wallet.get("balance").get("amount").asLong()).isEqualTo(20_000 - 800);
      }
      assertThat(server.candor().payments().verify().ok()).isTrue();
    }
  }

  /** A request that moves money, as first sent under its key. */
  record Move(
      String key,
      String kind,
      String from,
      String to,
      long amount,
      Optional<Integer> holdSeconds,
      String body) {
    boolean hold() {
      return holdSeconds.isPresent();
    }
  }

  /** One answer to a move: its status, and the transfer's id and status when it was a 201. */
  record Reply(int status, Optional<String> id, Optional<String> transferStatus) {}

  /** One answer to a capture or void of a held transfer. */
  record Settle(
      String transferId, String op, int status, Optional<String> outcome, long captured) {}

  /** A transfer row as the test reads it from the database. */
  record Row(
      String id,
      String debit,
      String credit,
      String currency,
      long amount,
      long posted,
      String status) {}

  /** A ledger account row. */
  record Account(String id, String kind, String owner, String currency, long balance, long held) {}

  private static final class Workload {
    private final TestServer server;
    private final long seed;
    private final Random setup;
    private final PaymentClient client;
    private final List<String> people = new ArrayList<>();
    private final Map<String, String> cards = new HashMap<>();
    private final List<String> merchants = new ArrayList<>();

    private final Map<String, Move> moves = new ConcurrentHashMap<>();
    private final Map<String, Queue<Reply>> replies = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<String> longHolds = new CopyOnWriteArrayList<>();
    private final Set<String> shortHolds = ConcurrentHashMap.newKeySet();
    private final Queue<Settle> settles = new ConcurrentLinkedQueue<>();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final ExecutorService twins = Executors.newCachedThreadPool();

    Workload(TestServer server, long seed) {
      this.server = server;
      this.seed = seed;
      this.setup = new Random(seed);
      String account = server.service("accounts", "account");
      this.client = new PaymentClient(server.http(), server.service("pay", "payments"));
      int n = 5 + setup.nextInt(4);
      for (int i = 0; i < n; i++) {
        String person = server.person(account);
        people.add(person);
        cards.put(person, client.card(person, cardNumber(i)));
      }
      merchants.add(client.merchant("Corner Cafe"));
      merchants.add(client.merchant("Book Shop"));
    }

    void run() throws Exception {
      try {
        for (String person : people) {
          long amount = 20_000 + setup.nextInt(40_000);
          send(topUp(person, amount, "fund-" + person), new Random(setup.nextLong()), false);
        }
        int threads = 8 + setup.nextInt(9);
        int ops = 30 + setup.nextInt(20);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int index = t;
          Random random = new Random(seed * 31 + t);
          workers.add(pool.submit(() -> work(index, random, ops)));
        }
        for (Future<?> w : workers) {
          w.get(90, TimeUnit.SECONDS);
        }
        pool.shutdown();
      } finally {
        twins.shutdownNow();
      }
      assertThat(unexpected).as("answers outside the contract").isEmpty();
      awaitShortHoldsExpired();
      check();
    }

    // ---- the workload ----

    private void work(int thread, Random random, int ops) {
      List<String> paid = new ArrayList<>();
      for (int i = 0; i < ops; i++) {
        String key = "k-" + thread + "-" + i;
        String from = people.get(random.nextInt(people.size()));
        int roll = random.nextInt(100);
        if (roll < 28) {
          send(toPerson(key, from, random, 1 + random.nextInt(4_000), Optional.empty()), random);
        } else if (roll < 42) {
          send(toMerchant(key, from, random, 1 + random.nextInt(4_000), Optional.empty()), random);
        } else if (roll < 56) {
          Optional<Integer> hold = Optional.of(600);
          long amount = 1 + random.nextInt(3_000);
          send(
              random.nextBoolean()
                  ? toPerson(key, from, random, amount, hold)
                  : toMerchant(key, from, random, amount, hold),
              random);
        } else if (roll < 64) {
          Optional<Integer> hold = Optional.of(1 + random.nextInt(2));
          send(toPerson(key, from, random, 1 + random.nextInt(2_000), hold), random);
        } else if (roll < 80) {
          settle(random);
        } else if (roll < 85) {
          send(topUp(from, 1 + random.nextInt(10_000), key), random);
        } else if (roll < 89) {
          send(payOut(from, 1 + random.nextInt(3_000), key), random);
        } else if (roll < 95) {
          mustBeRefused(key, from, random);
        } else {
          otherBodySameKey(random, paid);
        }
        Move m = moves.get(key);
        if (m != null
            && replies.getOrDefault(key, new ConcurrentLinkedQueue<>()).stream()
                .anyMatch(r -> r.status() == 201)) {
          paid.add(key);
        }
      }
    }

    private Move toPerson(
        String key, String from, Random random, long amount, Optional<Integer> hold) {
      String to = from;
      while (to.equals(from)) {
        to = people.get(random.nextInt(people.size()));
      }
      return new Move(
          key,
          "transfer",
          from,
          "wallet:" + to,
          amount,
          hold,
          PaymentClient.transfer(from, PaymentClient.toPerson(to), amount, hold));
    }

    private Move toMerchant(
        String key, String from, Random random, long amount, Optional<Integer> hold) {
      String to = merchants.get(random.nextInt(merchants.size()));
      return new Move(
          key,
          "transfer",
          from,
          "merchant:" + to,
          amount,
          hold,
          PaymentClient.transfer(from, PaymentClient.toMerchant(to), amount, hold));
    }

    private Move topUp(String person, long amount, String key) {
      return new Move(
          key,
          "top_up",
          person,
          "wallet:" + person,
          amount,
          Optional.empty(),
          PaymentClient.walletMove(cards.get(person), amount));
    }

    private Move payOut(String person, long amount, String key) {
      return new Move(
          key,
          "pay_out",
          person,
          "world",
          amount,
          Optional.empty(),
          PaymentClient.walletMove(cards.get(person), amount));
    }

    private void send(Move m, Random random) {
      send(m, random, true);
    }

    /** Sends {@code m}; sometimes twice at once, sometimes again afterwards (same key, body). */
    private void send(Move m, Random random, boolean retries) {
      Move first = moves.putIfAbsent(m.key(), m);
      if (first != null && !first.equals(m)) {
        throw new IllegalStateException("a key is reused for another move: " + m.key());
      }
      int mode = retries ? random.nextInt(100) : 99;
      if (mode < 12) {
        CompletableFuture<Http.Response> a = CompletableFuture.supplyAsync(() -> post(m), twins);
        CompletableFuture<Http.Response> b = CompletableFuture.supplyAsync(() -> post(m), twins);
        record(m, a.join());
        record(m, b.join());
      } else {
        record(m, post(m));
        if (mode < 30) {
          record(m, post(m));
        }
      }
    }

    private Http.Response post(Move m) {
      return switch (m.kind()) {
        case "top_up" -> client.topUp(m.from(), m.body(), m.key());
        case "pay_out" -> client.payOut(m.from(), m.body(), m.key());
        default -> client.transfer(m.body(), m.key());
      };
    }

    private void record(Move m, Http.Response r) {
      boolean allowed = r.status() == 201 || (r.status() == 402 && !m.kind().equals("top_up"));
      if (!allowed) {
        unexpected.add(m.key() + " " + m.body() + " -> " + r);
        return;
      }
      Optional<String> id = Optional.empty();
      Optional<String> status = Optional.empty();
      if (r.status() == 201) {
        id = Optional.of(r.json().get("id").asText());
        status = Optional.of(r.json().get("status").asText());
        String expected = m.hold() ? "held" : "posted";
        if (!status.get().equals(expected) && !status.get().equals("declined")) {
          unexpected.add(m.key() + " answered status " + status.get() + ", not " + expected);
        }
        if (status.get().equals("held")) {
          if (m.holdSeconds().get() <= 2) {
            shortHolds.add(id.get());
          } else {
            longHolds.addIfAbsent(id.get());
          }
        }
      }
      replies
          .computeIfAbsent(m.key(), k -> new ConcurrentLinkedQueue<>())
          .add(new Reply(r.status(), id, status));
    }

    /** Captures (all or part) or voids a long hold; sometimes two settlements race on it. */
    private void settle(Random random) {
      if (longHolds.isEmpty()) {
        return;
      }
      String id = longHolds.get(random.nextInt(longHolds.size()));
      long amount = heldAmount(id);
      String op = pickSettlement(random, amount);
      if (random.nextInt(100) < 25) {
        String other = pickSettlement(random, amount);
        CompletableFuture<Settle> a =
            CompletableFuture.supplyAsync(() -> settleOnce(id, op), twins);
        CompletableFuture<Settle> b =
            CompletableFuture.supplyAsync(() -> settleOnce(id, other), twins);
        settles.add(a.join());
        settles.add(b.join());
      } else {
        settles.add(settleOnce(id, op));
      }
    }

    private static String pickSettlement(Random random, long amount) {
      int roll = random.nextInt(100);
      if (roll < 35) {
        return "capture";
      } else if (roll < 70) {
        return "capture:" + (1 + (long) random.nextInt((int) amount));
      }
      return "void";
    }

    private Settle settleOnce(String id, String op) {
      Http.Response r;
      if (op.equals("void")) {
        r = client.http().post("/v1/transfers/" + id + "/void", client.pay(), null);
      } else if (op.equals("capture")) {
        r = client.http().post("/v1/transfers/" + id + "/capture", client.pay(), null);
      } else {
        r =
            client
                .http()
                .post(
                    "/v1/transfers/" + id + "/capture",
                    client.pay(),
                    "{\"amount\":" + op.substring("capture:".length()) + "}");
      }
      if (r.status() == 200) {
        JsonNode captured = r.json().path("capturedAmount").path("amount");
        return new Settle(
            id, op, 200, Optional.of(r.json().get("status").asText()), captured.asLong(-1));
      }
      if (r.status() != 409) {
        unexpected.add(op + " of " + id + " -> " + r);
      }
      return new Settle(id, op, r.status(), Optional.empty(), 0);
    }

    private long heldAmount(String transferId) {
      return moves.values().stream()
          .filter(
              m ->
                  replies.getOrDefault(m.key(), new ConcurrentLinkedQueue<>()).stream()
                      .anyMatch(r -> r.id().equals(Optional.of(transferId))))
          .findFirst()
          .orElseThrow()
          .amount();
    }

    /** A payment no wallet can cover: 402, and its key stays free for another request. */
    private void mustBeRefused(String key, String from, Random random) {
      Optional<Integer> hold = random.nextBoolean() ? Optional.of(600) : Optional.empty();
      Move huge =
          random.nextBoolean()
              ? toPerson(key, from, random, TOO_MUCH, hold)
              : toMerchant(key, from, random, TOO_MUCH, hold);
      Http.Response r = client.transfer(huge.body(), key);
      if (r.status() != 402) {
        unexpected.add("too much " + huge.body() + " -> " + r);
      }
      if (random.nextBoolean()) {
        // Nothing was written, the key included: the same key may now carry another request.
        send(toPerson(key, from, random, 1 + random.nextInt(100), Optional.empty()), random);
      }
    }

    /** Another body under a key that moved money: 422, and nothing moves. */
    private void otherBodySameKey(Random random, List<String> paid) {
      if (paid.isEmpty()) {
        return;
      }
      Move m = moves.get(paid.get(random.nextInt(paid.size())));
      String other =
          m.body().replace("\"amount\":" + m.amount() + ",", "\"amount\":1" + m.amount() + ",");
      if (other.equals(m.body())) {
        throw new IllegalStateException("the body did not change: " + m.body());
      }
      Http.Response r =
          switch (m.kind()) {
            case "top_up" -> client.topUp(m.from(), other, m.key());
            case "pay_out" -> client.payOut(m.from(), other, m.key());
            default -> client.transfer(other, m.key());
          };
      if (r.status() != 422) {
        unexpected.add("other body under " + m.key() + " " + other + " -> " + r);
      }
    }

    // ---- the checks ----

    private void awaitShortHoldsExpired() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      Set<String> pending = new HashSet<>(shortHolds);
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        Set<String> held = new HashSet<>();
        for (Row row : rows()) {
          if (row.status().equals("held")) {
            held.add(row.id());
          }
        }
        pending.retainAll(held);
        if (!pending.isEmpty()) {
          Thread.sleep(200);
        }
      }
      assertThat(pending).as("short holds still held 20 s after the workload").isEmpty();
    }

    private void check() {
      // One transfer per key that got a 201: every 201 under a key names the same transfer, and
      // no two keys name one transfer.
      Map<String, String> idByKey = new HashMap<>();
      Map<String, Move> moveById = new HashMap<>();
      int retried = 0;
      for (Map.Entry<String, Queue<Reply>> e : replies.entrySet()) {
        Set<String> ids = new HashSet<>();
        for (Reply r : e.getValue()) {
          r.id().ifPresent(ids::add);
        }
        assertThat(ids).as("transfers answered under key %s", e.getKey()).hasSizeLessThan(2);
        if (!ids.isEmpty()) {
          String id = ids.iterator().next();
          idByKey.put(e.getKey(), id);
          assertThat(moveById.put(id, moves.get(e.getKey())))
              .as("another key answered with %s", id)
              .isNull();
          if (e.getValue().size() > 1) {
            retried++;
          }
        }
      }
      assertThat(retried).as("keys sent more than once and paid").isPositive();

      // Every transfer in the database was answered with a 201 (nothing moved for a 402 or a
      // 422), and every 201 is in the database once.
      List<Row> rows = rows();
      Map<String, Row> rowById = new HashMap<>();
      rows.forEach(r -> rowById.put(r.id(), r));
      assertThat(rowById).as("transfer ids are unique").hasSize(rows.size());
      assertThat(rowById.keySet()).as("transfers in the database").isEqualTo(moveById.keySet());

      // Each transfer stands as a final GET reports it, and as its settlements say.
      Map<String, List<Settle>> settled = new HashMap<>();
      settles.forEach(s -> settled.computeIfAbsent(s.transferId(), k -> new ArrayList<>()).add(s));
      Map<String, String> finalStatus = new HashMap<>();
      Map<String, Long> finalCaptured = new HashMap<>();
      for (Map.Entry<String, Move> e : moveById.entrySet()) {
        String id = e.getKey();
        Move m = e.getValue();
        Http.Response got = client.http().get("/v1/transfers/" + id, client.pay());
        assertThat(got.status()).as("GET %s: %s", id, got).isEqualTo(200);
        String status = got.json().get("status").asText();
        Row row = rowById.get(id);
        assertThat(status).as("status of %s", id).isEqualTo(row.status());
        assertThat(got.json().get("amount").get("amount").asLong()).isEqualTo(m.amount());
        finalStatus.put(id, status);
        List<Settle> tries = settled.getOrDefault(id, List.of());
        if (!m.hold()) {
          assertThat(status).as("%s", m).isIn("posted", "declined");
          assertThat(row.posted()).isEqualTo(status.equals("posted") ? m.amount() : 0);
        } else if (shortHolds.contains(id)) {
          assertThat(status).as("short hold %s", id).isEqualTo("expired");
          assertThat(row.posted()).isZero();
        } else if (tries.isEmpty()) {
          assertThat(status).as("unsettled hold %s", id).isIn("held", "declined");
        } else {
          List<Settle> won = tries.stream().filter(s -> s.status() == 200).toList();
          assertThat(won).as("settlements of %s that applied: %s", id, tries).hasSize(1);
          Settle s = won.get(0);
          long expected =
              s.op().equals("void")
                  ? 0
                  : s.op().equals("capture")
                      ? m.amount()
                      : Long.parseLong(s.op().substring("capture:".length()));
          assertThat(status).isEqualTo(s.op().equals("void") ? "voided" : "posted");
          assertThat(s.outcome()).contains(status);
          assertThat(s.captured()).isEqualTo(expected);
          assertThat(row.posted()).isEqualTo(expected);
          assertThat(got.json().get("capturedAmount").get("amount").asLong()).isEqualTo(expected);
        }
        finalCaptured.put(id, row.posted());
      }

      // What the answers say each account must hold, against the ledger and the wallets.
      Map<String, long[]> expected = new HashMap<>();
      for (Map.Entry<String, Move> e : moveById.entrySet()) {
        Move m = e.getValue();
        String status = finalStatus.get(e.getKey());
        String payer = m.kind().equals("top_up") ? "world" : "wallet:" + m.from();
        String payee = m.kind().equals("top_up") ? "wallet:" + m.from() : m.to();
        long moved = finalCaptured.get(e.getKey());
        expected.computeIfAbsent(payer, k -> new long[2])[0] -= moved;
        expected.computeIfAbsent(payee, k -> new long[2])[0] += moved;
        if (status.equals("held")) {
          expected.get(payer)[1] += m.amount();
        }
      }
      List<Account> accounts = accounts();
      assertThat(accounts).extracting(Account::currency).containsOnly("EUR");
      for (Account a : accounts) {
        String label = a.kind().equals("world") ? "world" : a.kind() + ":" + a.owner();
        long[] want = expected.getOrDefault(label, new long[2]);
        assertThat(new long[] {a.balance(), a.held()})
            .as("balance and held of %s, by the answers", label)
            .containsExactly(want);
      }
      for (String person : people) {
        long[] want = expected.getOrDefault("wallet:" + person, new long[2]);
        JsonNode wallet = client.http().get("/v1/users/" + person + "/wallet", client.pay()).json();
        assertThat(wallet.get("balance").get("amount").asLong())
            .as("available in %s", person)
            .isEqualTo(want[0] - want[1])
            .isNotNegative();
        assertThat(wallet.get("held").get("amount").asLong()).isEqualTo(want[1]);
      }

      // The test's own recomputation from the transfers table.
      Map<String, long[]> sums = new HashMap<>();
      for (Row r : rows) {
        sums.computeIfAbsent(r.debit(), k -> new long[2])[0] -= r.posted();
        sums.computeIfAbsent(r.credit(), k -> new long[2])[0] += r.posted();
        if (r.status().equals("held")) {
          sums.get(r.debit())[1] += r.amount();
        }
      }
      Map<String, Long> totals = new HashMap<>();
      Set<String> known = new HashSet<>();
      for (Account a : accounts) {
        known.add(a.id());
        assertThat(new long[] {a.balance(), a.held()})
            .as("balance and held of account %s (%s), by its transfers", a.id(), a.kind())
            .containsExactly(sums.getOrDefault(a.id(), new long[2]));
        if (a.kind().equals("wallet")) {
          assertThat(a.balance() - a.held()).as("available in %s", a.id()).isNotNegative();
          assertThat(a.held()).isNotNegative();
        }
        totals.merge(a.currency(), a.balance(), Long::sum);
      }
      assertThat(known).as("accounts of the transfers").containsAll(sums.keySet());
      assertThat(totals).containsExactly(Map.entry("EUR", 0L));

      Payments.LedgerCheck check = server.candor().payments().verify();
      assertThat(check.ok()).as("%s", check).isTrue();
      assertThat(check.differences()).isEmpty();
      assertThat(check.totals()).containsExactly(Map.entry("EUR", 0L));
      assertThat(check.transfers()).isEqualTo(rows.size());
      assertThat(check.accounts()).isEqualTo(accounts.size());

      // The workload did what it claims: each kind of outcome happened.
      assertThat(finalStatus.values()).contains("posted", "expired");
      assertThat(settles).extracting(Settle::status).contains(200, 409);
      assertThat(replies.values().stream().flatMap(Queue::stream).map(Reply::status)).contains(201);
      System.out.printf(
          "ledger property (seed %d): %d transfers (%d keys retried), %d settlements,"
              + " statuses %s%n",
          seed, rows.size(), retried, settles.size(), count(finalStatus.values()));
    }

    private static Map<String, Integer> count(java.util.Collection<String> values) {
      Map<String, Integer> out = new java.util.TreeMap<>();
      values.forEach(v -> out.merge(v, 1, Integer::sum));
      return out;
    }

    private Database db() {
      return server.candor().database();
    }

    private List<Row> rows() {
      return db().<List<Row>, RuntimeException>withHandle(
              h ->
                  h.createQuery(
                          "SELECT id, debit_account, credit_account, currency, amount,"
                              + " posted_amount, status FROM transfers")
                      .map(
                          (rs, ctx) ->
                              new Row(
                                  rs.getString(1),
                                  rs.getString(2),
                                  rs.getString(3),
                                  rs.getString(4),
                                  rs.getLong(5),
                                  rs.getLong(6),
                                  rs.getString(7)))
                      .list());
    }

    private List<Account> accounts() {
      return db().<List<Account>, RuntimeException>withHandle(
              h ->
                  h.createQuery(
                          "SELECT id, kind, owner_id, currency, balance, held FROM ledger_accounts")
                      .map(
                          (rs, ctx) ->
                              new Account(
                                  rs.getString(1),
                                  rs.getString(2),
                                  rs.getString(3),
                                  rs.getString(4),
                                  rs.getLong(5),
                                  rs.getLong(6)))
                      .list());
    }
  }

  /** A Luhn-valid Visa test number, different for each {@code i}. */
  static String cardNumber(int i) {
    return PaymentClient.luhn(String.format("400000000000%03d", i));
  }
}
