package app.candor.payment;

import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The double-entry ledger: accounts (a person's wallet, a merchant, the world outside for top-ups
 * and pay-outs), each in one currency, and transfers between two of them. Every posting moves the
 * same amount out of one account and into another in one transaction, so the sum of all balances is
 * zero at every commit. A wallet's available money ({@code balance - held}) never goes below zero:
 * debits and holds are conditional updates that the database applies or refuses, on whichever node
 * they run, and a CHECK constraint backs them. Accounts are updated in id order, so two transfers
 * between the same wallets in opposite directions cannot deadlock on PostgreSQL.
 */
final class Ledger {

  static final String WALLET = "wallet";
  static final String MERCHANT = "merchant";
  static final String WORLD = "world";

  /** An account with its balance and the amount its pending holds reserve. */
  record Account(
      String id,
      String kind,
      @Nullable String ownerId,
      String currency,
      long balance,
      long held,
      long createdAt) {}

  private final Clock clock;

  Ledger(Clock clock) {
    this.clock = clock;
  }

  /** The owner's account of {@code kind} in {@code currency}, created when missing. */
  String account(Handle h, String kind, String ownerId, String currency) {
    Optional<String> id = find(h, kind, ownerId, currency);
    if (id.isPresent()) {
      return id.get();
    }
    // Two nodes may create it at once: the unique index keeps one, and both read that one.
    h.createUpdate(
            "INSERT INTO ledger_accounts (id, kind, owner_id, currency, balance, held, created_at)"
                + " VALUES (:id, :k, :o, :c, 0, 0, :t) ON CONFLICT (kind, owner_id, currency)"
                + " DO NOTHING")
        .bind("id", UUID.randomUUID().toString())
        .bind("k", kind)
        .bind("o", ownerId)
        .bind("c", currency)
        .bind("t", clock.millis())
        .execute();
    return find(h, kind, ownerId, currency).orElseThrow();
  }

  /**
   * Fails with 404 unless the person still exists; on PostgreSQL their key row stays share-locked
   * until the commit, so an erasure waits for this transaction or is seen by it, and no money moves
   * to or from someone erased.
   */
  static void requirePerson(Handle h, String subjectId, String what) {
    boolean postgres = app.candor.core.store.Database.dialectOf(h) == Database.Dialect.POSTGRESQL;
    boolean exists =
        h.createQuery(
                "SELECT 1 FROM subject_keys WHERE subject_id = :s" + (postgres ? " FOR SHARE" : ""))
            .bind("s", subjectId)
            .mapTo(Integer.class)
            .findOne()
            .isPresent();
    if (!exists) {
      throw CandorException.notFound(what);
    }
  }

  /** The world's account in {@code currency}: where top-ups come from and pay-outs go. */
  String world(Handle h, String currency) {
    return account(h, WORLD, WORLD, currency);
  }

  Optional<String> find(Handle h, String kind, String ownerId, String currency) {
    return h.createQuery(
            "SELECT id FROM ledger_accounts WHERE kind = :k AND owner_id = :o AND currency = :c")
        .bind("k", kind)
        .bind("o", ownerId)
        .bind("c", currency)
        .mapTo(String.class)
        .findOne();
  }

  Optional<Account> get(Handle h, String id) {
    return h.createQuery("SELECT * FROM ledger_accounts WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> account(rs))
        .findOne();
  }

  private static Account account(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Account(
        rs.getString("id"),
        rs.getString("kind"),
        rs.getString("owner_id"),
        rs.getString("currency"),
        rs.getLong("balance"),
        rs.getLong("held"),
        rs.getLong("created_at"));
  }

  /**
   * Moves {@code amount} from {@code debit} to {@code credit}. A wallet debit is refused with 402
   * (and nothing written, as the caller's transaction rolls back) when its available money does not
   * cover it.
   */
  void post(Handle h, String debit, String credit, long amount) {
    for (String id : inOrder(debit, credit)) {
      if (id.equals(debit)) {
        debit(h, debit, amount);
      } else {
        change(h, credit, "balance = balance + :a", amount);
      }
    }
  }

  private void debit(Handle h, String account, long amount) {
    int changed =
        h.createUpdate(
                "UPDATE ledger_accounts SET balance = balance - :a WHERE id = :id"
                    + " AND (kind <> 'wallet' OR balance - held >= :a)")
            .bind("a", amount)
            .bind("id", account)
            .execute();
    if (changed == 0) {
      throw CandorException.insufficientFunds(
          "the wallet's available balance does not cover " + amount + " (nothing was moved)");
    }
  }

  /**
   * 402 unless the wallet's available money covers {@code amount} now: checked before a payment
   * from the wallet is scored, so a payment that could never go through is refused as such. The
   * debit or hold itself is still conditional, for what changes between the two.
   */
  void requireAvailable(Handle h, String wallet, long amount) {
    long available =
        h.createQuery("SELECT balance - held FROM ledger_accounts WHERE id = :id")
            .bind("id", wallet)
            .mapTo(Long.class)
            .findOne()
            .orElse(0L);
    if (available < amount) {
      throw CandorException.insufficientFunds(
          "the wallet's available balance does not cover " + amount + " (nothing was moved)");
    }
  }

  /** Reserves {@code amount} of a wallet for a hold; 402 when its available money is short. */
  void hold(Handle h, String account, long amount) {
    int changed =
        h.createUpdate(
                "UPDATE ledger_accounts SET held = held + :a WHERE id = :id"
                    + " AND (kind <> 'wallet' OR balance - held >= :a)")
            .bind("a", amount)
            .bind("id", account)
            .execute();
    if (changed == 0) {
      throw CandorException.insufficientFunds(
          "the wallet's available balance does not cover a hold of " + amount);
    }
  }

  /**
   * Settles a hold of {@code held} on {@code debit}: the reservation ends and {@code captured}
   * (zero for a void or an expiry) moves to {@code credit}.
   */
  void settle(Handle h, String debit, String credit, long held, long captured) {
    for (String id : inOrder(debit, credit)) {
      if (id.equals(debit)) {
        h.createUpdate(
                "UPDATE ledger_accounts SET held = held - :h, balance = balance - :c WHERE id = :id")
            .bind("h", held)
            .bind("c", captured)
            .bind("id", debit)
            .execute();
      } else if (captured > 0) {
        change(h, credit, "balance = balance + :a", captured);
      }
    }
  }

  private static void change(Handle h, String account, String set, long amount) {
    int changed =
        h.createUpdate("UPDATE ledger_accounts SET " + set + " WHERE id = :id")
            .bind("a", amount)
            .bind("id", account)
            .execute();
    if (changed != 1) {
      // Never credit nothing: the whole transaction rolls back rather than lose the money.
      throw new IllegalStateException("a ledger account to credit is missing");
    }
  }

  static List<String> inOrder(String a, String b) {
    return a.compareTo(b) <= 0 ? List.of(a, b) : List.of(b, a);
  }

  /** A difference between an account's stored figures and those its transfers add up to. */
  record Difference(String accountId, String what, long stored, long recomputed) {}

  /** What {@code ledger verify} found. */
  record Verification(
      int accounts, long transfers, Map<String, Long> totals, List<Difference> differences) {
    /** Whether every balance and hold matches its transfers and every currency sums to zero. */
    boolean ok() {
      return differences.isEmpty() && totals.values().stream().allMatch(t -> t == 0);
    }
  }

  /**
   * Recomputes every account's balance (posted credits minus posted debits) and held amount (its
   * pending holds) from the transfers, and every currency's total, and reports each difference.
   */
  static Verification verify(Database db) {
    return db.withHandle(
        h -> {
          Map<String, long[]> recomputed = new HashMap<>();
          long transfers = h.createQuery("SELECT COUNT(*) FROM transfers").mapTo(Long.class).one();
          h.createQuery(
                  "SELECT debit_account, credit_account, posted_amount, amount, status"
                      + " FROM transfers")
              .map(
                  (rs, ctx) -> {
                    long posted = rs.getLong("posted_amount");
                    recomputed
                            .computeIfAbsent(rs.getString("debit_account"), k -> new long[2])[0] -=
                        posted;
                    recomputed
                            .computeIfAbsent(rs.getString("credit_account"), k -> new long[2])[0] +=
                        posted;
                    if ("held".equals(rs.getString("status"))) {
                      recomputed.get(rs.getString("debit_account"))[1] += rs.getLong("amount");
                    }
                    return 0;
                  })
              .forEach(x -> {});
          List<Difference> differences = new ArrayList<>();
          Map<String, Long> totals = new HashMap<>();
          List<Account> accounts =
              h.createQuery("SELECT * FROM ledger_accounts").map((rs, ctx) -> account(rs)).list();
          for (Account a : accounts) {
            long[] r = recomputed.getOrDefault(a.id(), new long[2]);
            if (r[0] != a.balance()) {
              differences.add(new Difference(a.id(), "balance", a.balance(), r[0]));
            }
            if (r[1] != a.held()) {
              differences.add(new Difference(a.id(), "held", a.held(), r[1]));
            }
            if (a.kind().equals(WALLET) && a.balance() - a.held() < 0) {
              differences.add(
                  new Difference(a.id(), "available (below zero)", a.balance() - a.held(), 0));
            }
            totals.merge(a.currency(), a.balance(), Long::sum);
          }
          java.util.Set<String> known = new java.util.HashSet<>();
          accounts.forEach(a -> known.add(a.id()));
          for (String id : recomputed.keySet()) {
            if (!known.contains(id)) {
              differences.add(new Difference(id, "account missing", 0, recomputed.get(id)[0]));
            }
          }
          return new Verification(accounts.size(), transfers, totals, differences);
        });
  }
}
