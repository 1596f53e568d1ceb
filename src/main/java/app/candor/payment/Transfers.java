package app.candor.payment;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import app.candor.payment.risk.Assessment;
import app.candor.payment.risk.Decision;
import app.candor.payment.risk.RiskScorer;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Moves money: transfers to a person or a merchant (from the wallet, or paid by card: a top-up leg
 * then the payment, in one transaction), top-ups and pay-outs. Each runs once per idempotency key,
 * is scored for fraud before any money moves, and is refused with 402 and nothing written when the
 * wallet cannot cover it.
 */
public final class Transfers implements AutoCloseable {

  /** Moving a person's money: the person, and services with {@code payments}. */
  public static final Access MOVE =
      Access.forPurpose(
          "payments",
          Purpose.PAYMENTS,
          "payment.wallet",
          "payment.transactions",
          "payment.methods");

  /** Group-commit writers on PostgreSQL, each with its own connection and transactions. */
  static final int POSTGRES_WRITERS = 4;

  /** What the fraud check reads of the payer's location data, for safety, when they allow it. */
  static final List<String> LOCATION_FIELDS = List.of("location.current", "location.history");

  /** The longest a hold may wait for its capture: 7 days. */
  static final int MAX_HOLD_SECONDS = 7 * 24 * 3600;

  private final Database db;
  private final SubjectKeys keys;
  private final PaymentMethods methods;
  private final Merchants merchants;
  private final Ledger ledger;
  private final Idempotency idempotency;
  private final FraudCheck fraud;
  private final String currency;
  private final Clock clock;
  private final PurposeGate gate;
  private final TransferRows rows;
  private final Function<String, Optional<Double>> whereabouts;
  // One writer on SQLite (one writer at a time is all it has); several on PostgreSQL, which
  // commits concurrent transactions in parallel. A payer's transfers always go to the same one.
  private final List<GroupCommit<Move, Outcome>> commits;

  Transfers(
      Database db,
      SubjectKeys keys,
      PaymentMethods methods,
      Merchants merchants,
      Ledger ledger,
      Idempotency idempotency,
      RiskScorer scorer,
      PurposeGate gate,
      Function<String, Optional<Double>> whereabouts,
      String currency,
      Clock clock) {
    this.db = db;
    this.gate = gate;
    this.rows = new TransferRows(currency);
    this.whereabouts = whereabouts;
    this.keys = keys;
    this.methods = methods;
    this.merchants = merchants;
    this.ledger = ledger;
    this.idempotency = idempotency;
    this.fraud = new FraudCheck(clock, scorer);
    this.currency = Objects.requireNonNull(currency, "currency");
    this.clock = clock;
    int writers = db.dialect() == Database.Dialect.POSTGRESQL ? POSTGRES_WRITERS : 1;
    List<GroupCommit<Move, Outcome>> all = new ArrayList<>(writers);
    for (int i = 0; i < writers; i++) {
      all.add(
          new GroupCommit<>(
              writers == 1 ? "transfers" : "transfers-" + i, db, this::write, 500, 10_000));
    }
    this.commits = List.copyOf(all);
  }

  /**
   * Carries out {@code request} for the granted payer once per {@code key}; returns the answer (201
   * with the transfer), or the stored answer of the first request with this key. The request joins
   * the transfers' group commit: one transaction and one sync for many concurrent transfers, each
   * in its own savepoint, so one refused transfer (402) leaves the others of its group alone.
   */
  public Idempotency.Answer move(Grant grant, String key, TransferRequest request) {
    if (!grant.subjectId().equals(request.from())) {
      throw new IllegalArgumentException("the grant is for another person");
    }
    check(request);
    Aead aead = keys.find(request.from()).orElseThrow(() -> CandorException.notFound("person"));
    String caller = grant.caller().label();
    String digest = Idempotency.digest(request.canonical());
    Optional<Idempotency.Answer> earlier =
        idempotency.earlier(caller, key, digest, request.from(), aead);
    if (earlier.isPresent()) {
      gate.changed(grant); // a replayed answer shows the transfer again: logged as a read
      return earlier.get();
    }
    Optional<Instant> recipientSince = Optional.empty();
    if (request.toUser().isPresent()) {
      recipientSince = keys.createdAt(request.toUser().get());
      if (recipientSince.isEmpty()) {
        throw CandorException.invalid("to.userId", "no such person");
      }
    }
    if (request.toMerchant().isPresent() && !merchants.exists(request.toMerchant().get())) {
      throw CandorException.invalid("to.merchantId", "no such merchant");
    }
    // Where the payer usually is, only while they allow location (the location domain decides).
    Optional<Double> kmFromUsual =
        request.kind().equals("transfer") ? whereabouts.apply(request.from()) : Optional.empty();
    Outcome outcome =
        commits
            .get(Math.floorMod(request.from().hashCode(), commits.size()))
            .commit(
                new Move(grant, caller, key, digest, request, aead, recipientSince, kmFromUsual));
    if (outcome.refused() != null) {
      throw outcome.refused();
    }
    if (outcome.answer() != null) {
      return outcome.answer();
    }
    // Another request with this key came first (in this group, or on another node).
    Idempotency.Answer replayed =
        idempotency
            .earlier(caller, key, digest, request.from(), aead)
            .orElseThrow(
                () ->
                    CandorException.conflict("a request with this Idempotency-Key is in progress"));
    gate.changed(grant);
    return replayed;
  }

  /** One queued transfer request, checked and ready to carry out. */
  private record Move(
      Grant grant,
      String caller,
      String key,
      String digest,
      TransferRequest request,
      Aead aead,
      Optional<Instant> recipientSince,
      Optional<Double> kmFromUsual) {
    @Override
    public String toString() {
      return "Move[masked]";
    }
  }

  /**
   * What became of a queued request: its answer, a refusal (4xx, nothing of it written), or neither
   * when another request held its key.
   */
  private record Outcome(Idempotency.@Nullable Answer answer, @Nullable CandorException refused) {}

  /** Carries out a group: each request in its own savepoint, refused ones rolled back alone. */
  private List<Outcome> write(Handle h, List<Move> group) {
    List<Outcome> out = new ArrayList<>(group.size());
    for (Move m : group) {
      h.savepoint("move");
      try {
        TransferRequest r = m.request();
        if (!idempotency.claim(h, m.caller(), m.key(), m.digest(), r.from())) {
          h.releaseSavepoint("move");
          out.add(new Outcome(null, null));
          continue;
        }
        Idempotency.Answer answer =
            new Idempotency.Answer(
                201, carryOut(h, r, m.aead(), m.recipientSince(), m.kmFromUsual()));
        idempotency.store(h, m.caller(), m.key(), answer, r.from(), m.aead());
        // The service's or operator's move is in the person's access log, in this transaction.
        gate.changedIn(h, m.grant());
        if (m.kmFromUsual().isPresent()) {
          gate.usedIn(h, m.grant(), Purpose.SAFETY, LOCATION_FIELDS);
        }
        h.releaseSavepoint("move");
        out.add(new Outcome(answer, null));
      } catch (CandorException e) {
        h.rollbackToSavepoint("move"); // also forgets the savepoint
        out.add(new Outcome(null, e));
      }
    }
    return out;
  }

  /** The transfers waiting for their group (a metric). */
  public int backlog() {
    return commits.stream().mapToInt(GroupCommit::backlog).sum();
  }

  @Override
  public void close() {
    commits.forEach(GroupCommit::close);
  }

  private void check(TransferRequest r) {
    Validation v = new Validation();
    long amount = r.amount().amount();
    if (amount <= 0) {
      v.add("amount.amount", "must be a positive whole number of minor units (cents)");
    } else if (amount > Money.MAX_AMOUNT) {
      v.add("amount.amount", "must be at most " + Money.MAX_AMOUNT);
    }
    if (!r.amount().currency().equals(currency)) {
      v.add("amount.currency", "wallets here hold " + currency + "; currencies are never mixed");
    }
    if (r.toUser().isPresent() && r.toUser().get().equals(r.from())) {
      v.add("to.userId", "cannot be the payer");
    }
    r.holdSeconds()
        .ifPresent(
            s -> {
              if (s < 1 || s > MAX_HOLD_SECONDS) {
                v.add("hold.timeoutSeconds", "must be from 1 to " + MAX_HOLD_SECONDS);
              }
            });
    r.note()
        .ifPresent(
            n -> {
              if (n.length() > 500) {
                v.add("note", "must be at most 500 characters");
              }
            });
    v.throwIfInvalid();
  }

  private Map<String, Object> carryOut(
      Handle h,
      TransferRequest r,
      Aead aead,
      Optional<Instant> recipientSince,
      Optional<Double> kmFromUsual) {
    long now = clock.millis();
    String payer = r.from();
    Ledger.requirePerson(h, payer, "person");
    if (r.toUser().isPresent()) {
      Ledger.requirePerson(h, r.toUser().get(), "recipient");
    }
    String wallet = ledger.account(h, Ledger.WALLET, payer, currency);
    Optional<PaymentMethods.Method> method = Optional.empty();
    if (r.methodId().isPresent()) {
      method = methods.find(h, payer, r.methodId().get());
      if (method.isEmpty()) {
        String field = r.kind().equals("transfer") ? "source" : "paymentMethodId";
        throw CandorException.invalid(field, "no such payment method of the payer");
      }
    }
    String counterparty =
        switch (r.kind()) {
          case "top_up" -> ledger.world(h, currency);
          case "pay_out" -> ledger.world(h, currency);
          default ->
              r.toUser().isPresent()
                  ? ledger.account(h, Ledger.WALLET, r.toUser().get(), currency)
                  : ledger.account(h, Ledger.MERCHANT, r.toMerchant().orElseThrow(), currency);
        };
    long amount = r.amount().amount();
    if (!r.kind().equals("top_up") && !(r.kind().equals("transfer") && method.isPresent())) {
      ledger.requireAvailable(h, wallet, amount);
    }
    Assessment risk =
        fraud.assess(
            h,
            new FraudCheck.Context(
                wallet,
                r.kind().equals("transfer") ? Optional.of(counterparty) : Optional.empty(),
                amount,
                method.map(m -> Duration.between(m.createdAt(), Instant.ofEpochMilli(now))),
                method.map(m -> methods.otherAccounts(h, m.fingerprint(), payer)).orElse(0L),
                recipientSince.map(t -> Duration.between(t, Instant.ofEpochMilli(now))),
                kmFromUsual));
    String id = TransferRows.newId(now);
    String status;
    Optional<Long> expiresAt = Optional.empty();
    if (risk.decision() == Decision.DECLINE) {
      status = "declined";
      // Kept the way the money would have gone: into the wallet for a top-up, out of it otherwise.
      boolean in = r.kind().equals("top_up");
      rows.insert(
          h,
          id,
          r.kind(),
          in ? counterparty : wallet,
          in ? wallet : counterparty,
          r,
          aead,
          status,
          0,
          risk,
          now,
          expiresAt);
    } else if (r.kind().equals("top_up")) {
      ledger.post(h, counterparty, wallet, amount);
      status = "posted";
      rows.insert(
          h, id, "top_up", counterparty, wallet, r, aead, status, amount, risk, now, expiresAt);
    } else {
      if (r.kind().equals("transfer") && method.isPresent()) {
        // Paid by card: the card tops the wallet up, then the wallet pays, in this transaction.
        String world = ledger.world(h, currency);
        ledger.post(h, world, wallet, amount);
        // Stamped a millisecond before the payment it funds, so a history lists it first.
        rows.insert(
            h,
            TransferRows.newId(now),
            "top_up",
            world,
            wallet,
            r,
            aead,
            "posted",
            amount,
            risk,
            now - 1,
            Optional.empty());
      }
      if (r.holdSeconds().isPresent()) {
        ledger.hold(h, wallet, amount);
        status = "held";
        expiresAt = Optional.of(now + r.holdSeconds().get() * 1000L);
        rows.insert(
            h, id, r.kind(), wallet, counterparty, r, aead, status, 0, risk, now, expiresAt);
      } else {
        ledger.post(h, wallet, counterparty, amount);
        status = "posted";
        rows.insert(
            h, id, r.kind(), wallet, counterparty, r, aead, status, amount, risk, now, expiresAt);
      }
    }
    if (!status.equals("declined")) {
      // In account id order, as the ledger locks accounts: two holds between the same wallets in
      // opposite directions would otherwise each lock one daily row and wait for the other's (a
      // deadlock on PostgreSQL, answered 500).
      for (String account : Ledger.inOrder(wallet, counterparty)) {
        FraudCheck.count(h, account, FraudCheck.day(now), amount);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("kind", r.kind());
    out.put("status", status);
    out.put("from", payer);
    out.put("to", to(r));
    out.put("amount", r.amount().json());
    r.methodId().ifPresent(m -> out.put("paymentMethodId", m));
    r.note().ifPresent(n -> out.put("note", n));
    expiresAt.ifPresent(t -> out.put("expiresAt", Instant.ofEpochMilli(t).toString()));
    out.put("createdAt", Instant.ofEpochMilli(now).toString());
    out.put("risk", FraudCheck.json(risk));
    return out;
  }

  private static Map<String, Object> to(TransferRequest r) {
    if (r.toUser().isPresent()) {
      return Map.of("userId", r.toUser().get());
    }
    if (r.toMerchant().isPresent()) {
      return Map.of("merchantId", r.toMerchant().get());
    }
    // A top-up goes to the payer's own wallet; a pay-out to their card or bank account.
    return r.kind().equals("top_up")
        ? Map.of("userId", r.from())
        : Map.of("paymentMethodId", r.methodId().orElse(""));
  }
}
