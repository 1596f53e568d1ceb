package app.candor.payment;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import app.candor.payment.risk.RiskScorer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment domain's public face: payment methods, merchants, moving money, holds, history, fraud
 * reports and the ledger check. Built once by the composition root; a sweeper on every node expires
 * holds past their timeout (each expiry is one conditional update, so nodes never double one).
 */
public final class Payments implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Payments.class);

  /** The wallet: the person, and services with {@code payments}. */
  public static final Access WALLET =
      Access.forPurpose("the wallet", Purpose.PAYMENTS, "payment.wallet");

  /** The transaction history: the person, and services with {@code payments}. */
  public static final Access HISTORY =
      Access.forPurpose("transactions", Purpose.PAYMENTS, "payment.transactions", "payment.notes");

  /** Reading or settling a transfer: its payer, and services with {@code payments}. */
  public static final Access TRANSFER =
      Access.forPurpose(
          "transfers",
          Purpose.PAYMENTS,
          "payment.transactions",
          "payment.notes",
          "payment.riskAssessments");

  /** Reporting confirmed fraud: services with {@code safety}, and operators. */
  public static final Access FRAUD_REPORT =
      Access.forPurpose("fraud reports", Purpose.SAFETY, "payment.riskAssessments").withOperators();

  private final Database db;
  private final PaymentMethods methods;
  private final Merchants merchants;
  private final Transfers transfers;
  private final Holds holds;
  private final History history;
  private final Idempotency idempotency;
  private final PaymentData data;
  private final Config.Payment settings;
  private final Clock clock;
  private final ScheduledExecutorService sweeper;

  public Payments(
      Database db,
      SubjectKeys keys,
      BlindIndex blind,
      PurposeGate gate,
      Function<Collection<String>, Map<String, String>> names,
      Function<String, Optional<Double>> whereabouts,
      Config.Payment settings,
      Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    Ledger ledger = new Ledger(clock);
    this.methods = new PaymentMethods(db, keys, blind, clock);
    this.merchants = new Merchants(db, clock);
    this.idempotency = new Idempotency(db, clock);
    this.transfers =
        new Transfers(
            db,
            keys,
            methods,
            merchants,
            ledger,
            idempotency,
            RiskScorer.standard(),
            gate,
            whereabouts,
            settings.currency(),
            clock);
    this.holds = new Holds(db, ledger, clock);
    this.history =
        new History(db, keys, methods, merchants, ledger, gate, names, settings.currency());
    this.data = new PaymentData(db, keys, methods, history, settings.currency());
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "candor-hold-expiry");
              t.setDaemon(true);
              return t;
            });
    sweeper.scheduleWithFixedDelay(this::expireHolds, 1, 1, TimeUnit.SECONDS);
  }

  private void expireHolds() {
    try {
      holds.expireDue();
    } catch (RuntimeException e) {
      log.warn("hold expiry failed: {}", e.getClass().getName());
    }
  }

  public PaymentMethods methods() {
    return methods;
  }

  public Merchants merchants() {
    return merchants;
  }

  /** The wallets' currency. */
  public String currency() {
    return settings.currency();
  }

  /** The payment category's part of privacy requests. */
  public PaymentData data() {
    return data;
  }

  /** Moves money once per idempotency key; see {@link Transfers#move}. */
  public Answer move(Grant grant, Optional<String> idempotencyKey, TransferRequest request) {
    String key = Idempotency.requireKey(idempotencyKey);
    Idempotency.Answer a = transfers.move(grant, key, request);
    return new Answer(a.status(), a.body());
  }

  /** An answer to replay: its status and body. */
  public record Answer(int status, Map<String, Object> body) {}

  public Map<String, Object> wallet(Grant grant) {
    return history.wallet(grant);
  }

  public Map<String, Object> transactions(Grant grant, int limit, Optional<String> cursor) {
    return history.transactions(grant, limit, cursor);
  }

  /** The person who paid {@code transferId}; 404 when there is no such transfer (or erased). */
  public String payer(String transferId) {
    return holds.payer(transferId).orElseThrow(() -> CandorException.notFound("transfer"));
  }

  public Map<String, Object> transfer(Grant grant, String transferId) {
    return history.transfer(grant, transferId);
  }

  /** Captures a held transfer (all of it, or {@code amount}); the transfer after it. */
  public Map<String, Object> capture(Grant grant, String transferId, Optional<Long> amount) {
    holds.capture(transferId, amount);
    return history.transfer(grant, transferId);
  }

  /** Voids a held transfer; the transfer after it. */
  public Map<String, Object> voidHold(Grant grant, String transferId) {
    holds.voidHold(transferId);
    return history.transfer(grant, transferId);
  }

  /** Records that a transfer was confirmed as fraud; 409 when it was reported already. */
  public Map<String, Object> reportFraud(Grant grant, String transferId) {
    return data.reportFraud(grant, transferId, clock.millis());
  }

  /** Recomputes every balance from the transfers ({@code ./candor ledger verify}). */
  public LedgerCheck verify() {
    Ledger.Verification v = Ledger.verify(db);
    return new LedgerCheck(
        v.accounts(),
        v.transfers(),
        v.totals(),
        v.differences().stream()
            .map(
                d ->
                    d.accountId()
                        + ": "
                        + d.what()
                        + " stored "
                        + d.stored()
                        + ", transfers say "
                        + d.recomputed())
            .toList(),
        v.ok());
  }

  /** What the ledger check found: counts, each currency's total, and every difference. */
  public record LedgerCheck(
      int accounts,
      long transfers,
      Map<String, Long> totals,
      List<String> differences,
      boolean ok) {}

  /**
   * Deletes what outlived its retention: idempotency answers after a day, daily totals after 400
   * days, settled transfers after the record retention (with what no other row needs).
   */
  public void purgeExpired() {
    idempotency.purgeExpired();
    data.purgeExpired(clock.millis(), Duration.ofDays(365L * settings.recordRetentionYears()));
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    transfers.close();
  }
}
