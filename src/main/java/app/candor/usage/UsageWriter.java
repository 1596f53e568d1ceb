package app.candor.usage;

import app.candor.core.store.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * Stores usage events and keeps the rollups. Two steps, both on the single writer thread:
 *
 * <ol>
 *   <li>{@link #write}: a group commit appends the new events to the log ({@code usage_events},
 *       keyed by a sequence number assigned here, in commit order), after dropping retries found in
 *       the window of recent messageIds. Appends touch only the last pages of the table, which is
 *       what lets one core acknowledge many thousands of events a second.
 *   <li>roll-up ({@link #rollUpStep}, {@link #rollUp}): every {@link RollUp#ROLLUP_MILLIS}, the
 *       events stored meanwhile are grouped by person and go, in slices of whole people, into
 *       {@code usage_event_owners} (each person's log positions) and into every rollup (sessions,
 *       person-days, the distinct-people grid, cohorts, feature-days). A slice rides along with a
 *       group commit, or is its own short transaction once requests pause (one that does not wait
 *       for the disk: what it writes is derived, and redone after a crash); the last slice records
 *       the last sequence applied. A person's rows are touched once per roll-up, not once per
 *       event. After a crash the events after that sequence and not in a committed slice are rolled
 *       up again at start, so the rollups never miss a stored event nor count one twice.
 * </ol>
 *
 * This class runs the two steps and recovers after a crash; the parts have their own classes: the
 * queue of events waiting for the roll-up and the slices of the one under way ({@link RollUp}), the
 * rollups a slice changes ({@link RollupMaintenance}), and which people still exist ({@link
 * Presence}). Readers that need the rollups up to date (analytics, the retention purge) first ask
 * the writer to {@linkplain Ingestion#maintenance catch up}; a person's own rows are read from the
 * owners index plus the short tail not yet rolled up ({@link EventLog#personEvents}).
 */
final class UsageWriter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UsageWriter.class);

  /**
   * Events rolled up in one transaction, about (whole people): a few milliseconds, so that a
   * request arriving meanwhile waits little (1,000 doubled the median latency at 10,000 events/s).
   */
  static final int SLICE_EVENTS = 250;

  /** Events waiting for the roll-up beyond which it takes as many as are written. */
  static final int MAX_LAG = 200_000;

  /** The most people remembered as present (SQLite), unless a test sets another bound. */
  private static final int ALIVE_MAX = 1_000_000;

  private final Database db;
  private final Clock clock;
  private final RecentMessages recent;
  private final Presence presence;
  private final RollupMaintenance rollups;
  private final RollUp rollUp;
  private long nextSeq = -1;

  private volatile int lag;

  UsageWriter(Database db, Sessions sessions, Clock clock, RecentMessages recent) {
    this(db, sessions, clock, recent, ALIVE_MAX);
  }

  /** With another bound on the people remembered as present (tests cross it with a few). */
  UsageWriter(Database db, Sessions sessions, Clock clock, RecentMessages recent, int aliveMax) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.recent = Objects.requireNonNull(recent, "recent");
    this.presence = new Presence(db, aliveMax);
    this.rollups = new RollupMaintenance(Objects.requireNonNull(sessions, "sessions"));
    this.rollUp = new RollUp(clock, presence, rollups);
  }

  /**
   * At start, on the writer thread: the next sequence number, the messageIds of the dedupe window,
   * and the roll-up of events stored but not rolled up before a crash (a roll-up commits in slices
   * of whole people, each with its owners rows, and the last one moves applied_seq).
   */
  void recover() {
    long now = clock.millis();
    long[] applied = new long[1];
    db.withHandle(
        h -> {
          applied[0] =
              h.createQuery("SELECT applied_seq FROM usage_rollup_state WHERE id = 1")
                  .mapTo(Long.class)
                  .one();
          // Never a position used before, even one whose event is gone: owners rows may list it.
          nextSeq =
              Math.max(
                      applied[0],
                      h.createQuery(
                              "SELECT MAX(m) FROM (SELECT COALESCE(MAX(seq), 0) AS m FROM"
                                  + " usage_events UNION ALL SELECT COALESCE(MAX(last_seq), 0)"
                                  + " FROM usage_event_owners) t")
                          .mapTo(Long.class)
                          .one())
                  + 1;
          // The positions rolled up by the slices of a roll-up that did not finish.
          com.carrotsearch.hppc.LongHashSet sliced = new com.carrotsearch.hppc.LongHashSet();
          long[] slicedBeforeCrash = {0};
          h.createQuery("SELECT seqs FROM usage_event_owners WHERE first_seq > :a")
              .bind("a", applied[0])
              .mapTo(String.class)
              .forEach(
                  list -> {
                    for (String seq : list.split(",")) {
                      long position = Long.parseLong(seq);
                      sliced.add(position);
                      slicedBeforeCrash[0] = Math.max(slicedBeforeCrash[0], position);
                    }
                  });
          long windowFrom = recent.firstPosition(h, now, nextSeq);
          long from = Math.min(windowFrom, applied[0] + 1);
          // Everything is reloaded from the database: should a previous attempt have failed half
          // way (a roll-up slice committed, the next not), nothing of it may be rolled up twice.
          recent.clear();
          rollUp.reset(slicedBeforeCrash[0]);
          rollups.reset();
          try (var rows =
              h.createQuery(
                      "SELECT seq, subject_id, message_id, at, type, name, service, received_at"
                          + " FROM usage_events WHERE seq >= :f ORDER BY seq")
                  .bind("f", from)
                  .setFetchSize(10_000)
                  .map(
                      (rs, ctx) -> {
                        long seq = rs.getLong(1);
                        String subject = rs.getString(2);
                        String message = rs.getString(3);
                        if (seq >= windowFrom) {
                          recent.add(RecentMessages.key(subject, message), rs.getLong(8));
                        }
                        // After the last complete roll-up, and not in a slice committed since.
                        if (seq > applied[0] && !sliced.contains(seq)) {
                          rollUp.recovered(
                              seq,
                              new UsageEvent(
                                  subject,
                                  message,
                                  rs.getString(5),
                                  rs.getString(6),
                                  rs.getLong(4),
                                  rs.getString(7),
                                  null));
                        }
                        return seq;
                      })
                  .iterator()) {
            rows.forEachRemaining(seq -> {});
          }
          return null;
        });
    if (rollUp.pendingCount() > 0) {
      LOG.info("rolling up {} usage events stored before the last stop", rollUp.pendingCount());
      rollUp();
    }
  }

  /**
   * Per event: 1 stored, 0 duplicate, -1 the person is gone (erased meanwhile). Committed but not
   * yet durable: nothing may be acknowledged before {@link #flush()} returns.
   */
  int[] write(List<UsageEvent> events) {
    if (nextSeq < 0) {
      throw new IllegalStateException("recover() first");
    }
    long firstSeq = nextSeq;
    long now = clock.millis();
    recent.expire(now, 50_000);
    int[] outcome = new int[events.size()];
    // How many fingerprints append() added to the dedupe window: taken back if the write fails.
    int[] added = new int[1];
    // A slice of the roll-up under way rides along in the same transaction: one commit for both.
    // (A slice committed on its own between requests took about 30 ms at 10,000 events/s, nearly
    // all in its commit, and the requests arriving meanwhile waited for it; so only when the
    // writer is idle.) Should the pair fail, the events are written alone and the slice
    // waits. Past MAX_LAG the slices grow: the lag (and the memory holding it) stays bounded, and
    // a writer that cannot keep up fills its queue, which answers 503.
    boolean lagging = rollUp.pendingCount() > MAX_LAG;
    boolean slice = rollUp.due();
    if (slice && !rollUp.underWay()) {
      rollUp.start();
    }
    // Short slices while the roll-up keeps up; once it lags by more than MAX_LAG events, at least
    // as many rolled up as written.
    int from = rollUp.position();
    int to =
        slice ? rollUp.sliceEnd(lagging ? Math.max(SLICE_EVENTS, events.size()) : SLICE_EVENTS) : 0;
    boolean last = rollUp.finishes(to);
    try {
      db.useTransactionFlushedLater(
          h -> {
            append(h, events, now, outcome, added);
            if (slice) {
              rollUp.slice(h, from, to, last);
            }
          });
      if (slice) {
        sliceDone(to, last);
      }
    } catch (RuntimeException e) {
      nextSeq = firstSeq;
      recent.forgetLast(added[0]);
      added[0] = 0;
      if (!slice) {
        throw e;
      }
      rollups.reset();
      try {
        db.useTransactionFlushedLater(h -> append(h, events, now, outcome, added));
      } catch (RuntimeException again) {
        nextSeq = firstSeq;
        recent.forgetLast(added[0]);
        throw again;
      }
    }
    long seq = firstSeq;
    for (int i = 0; i < events.size(); i++) {
      if (outcome[i] == 1) {
        rollUp.stored(seq++, events.get(i), now);
      }
    }
    lag = rollUp.pendingCount();
    return outcome;
  }

  /**
   * Inserts the events not stored yet. Each new one's fingerprint enters the dedupe window at once
   * (one probe tells a retry, a repeat within the group included, and remembers a new event);
   * {@code added} counts them, for the caller to take back should the transaction fail.
   */
  private void append(Handle h, List<UsageEvent> events, long now, int[] outcome, int[] added) {
    var present = presence.of(h, events);
    // Plain JDBC on the hot path: one prepared statement, batched, no per-row binding objects.
    try (PreparedStatement insert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO usage_events (seq, subject_id, message_id, at, type, name, service,"
                    + " received_at, detail_ct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      int rows = 0;
      String last = null;
      boolean lastPresent = false;
      for (int i = 0; i < events.size(); i++) {
        UsageEvent e = events.get(i);
        // A request's events come person by person (one string per person and request).
        if (e.subjectId() != last) {
          last = e.subjectId();
          lastPresent = present.test(last);
        }
        if (!lastPresent) {
          outcome[i] = -1;
          continue;
        }
        if (!recent.add(RecentMessages.key(e.subjectId(), e.messageId()), now)) {
          outcome[i] = 0;
          continue;
        }
        added[0]++;
        outcome[i] = 1;
        insert.setLong(1, nextSeq++);
        insert.setString(2, e.subjectId());
        insert.setString(3, e.messageId());
        insert.setLong(4, e.at());
        insert.setString(5, e.type());
        insert.setString(6, e.name());
        insert.setString(7, e.service());
        insert.setLong(8, now);
        insert.setBytes(9, e.detailCiphertext());
        insert.addBatch();
        rows++;
      }
      if (rows > 0) {
        insert.executeBatch();
      }
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
  }

  /** Makes every write so far durable (any thread). */
  void flush() {
    db.flush();
  }

  /** Whether a roll-up is under way, or events waited long enough, or are many enough, for one. */
  boolean rollUpDue() {
    return rollUp.due();
  }

  /**
   * One step of rolling up, short enough to sit between two group commits: starts a roll-up of
   * everything pending when one is due, then rolls up one slice of it (whole people, about
   * SLICE_EVENTS events) in one transaction.
   */
  void rollUpStep() {
    if (!rollUp.underWay()) {
      if (!rollUp.due()) {
        return;
      }
      rollUp.start();
    }
    rollUpSlice();
  }

  /** Rolls up everything stored so far. */
  void rollUp() {
    while (rollUp.pendingCount() > 0) {
      if (!rollUp.underWay()) {
        rollUp.start();
      }
      rollUpSlice();
    }
  }

  private void rollUpSlice() {
    int from = rollUp.position();
    int to = rollUp.sliceEnd(SLICE_EVENTS);
    boolean last = rollUp.finishes(to);
    try {
      // Rollups are derived from events already stored durably: should this commit not reach the
      // disk before a power failure, recovery rolls the same events up again.
      db.useRelaxedTransaction(h -> rollUp.slice(h, from, to, last));
    } catch (RuntimeException e) {
      // In-memory state may hold changes that were rolled back; the slice is tried again.
      rollups.reset();
      throw e;
    }
    sliceDone(to, last);
  }

  private void sliceDone(int to, boolean last) {
    rollUp.sliceDone(to, last);
    lag = rollUp.pendingCount();
  }

  /** Events stored and not yet rolled up (writer thread). */
  int pendingCount() {
    return rollUp.pendingCount();
  }

  /** Events stored and not yet rolled up, as last seen by the writer (any thread). */
  int lag() {
    return lag;
  }

  /** Forgets what is cached about a person (erasure). */
  void forget(String subject) {
    presence.forget(subject);
    rollUp.forget(subject);
    rollups.forget(subject);
  }

  /** Forgets everything cached (retention purge). */
  void forgetAll() {
    rollups.forgetAll();
  }
}
