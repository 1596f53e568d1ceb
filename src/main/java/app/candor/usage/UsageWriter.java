package app.candor.usage;

import app.candor.core.store.Database;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Stores usage events and keeps the rollups. Two steps, both on the single writer thread:
 *
 * <ol>
 *   <li>{@link #write}: a group commit appends the new events to the log ({@code usage_events},
 *       keyed by a sequence number assigned here, in commit order), after dropping retries found in
 *       the window of recent messageIds. Appends touch only the last pages of the table, which is
 *       what lets one core acknowledge many thousands of events a second.
 *   <li>roll-up ({@link #rollUpStep}, {@link #rollUp}): every ROLLUP_MILLIS, the events stored
 *       meanwhile are grouped by person and go, in slices of whole people, into {@code
 *       usage_event_owners} (each person's log positions) and into every rollup (sessions,
 *       person-days, the distinct-people grid, cohorts, feature-days). A slice rides along with a
 *       group commit, or is its own short transaction once requests pause (one that does not wait
 *       for the disk: what it writes is derived, and redone after a crash); the last slice records
 *       the last sequence applied. A person's rows are touched once per roll-up, not once per
 *       event. After a crash the events after that sequence and not in a committed slice are rolled
 *       up again at start, so the rollups never miss a stored event nor count one twice.
 * </ol>
 *
 * Readers that need the rollups up to date (analytics, the retention purge) first ask the writer to
 * {@linkplain Ingestion#maintenance catch up}; a person's own rows are read from the owners index
 * plus the short tail not yet rolled up ({@link #personEvents}).
 */
final class UsageWriter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UsageWriter.class);
  static final String ANY = "*";
  private static final int CHUNK = 500;

  /** Roll up once this many events wait, even before ROLLUP_MILLIS. */
  static final int ROLLUP_EVENTS = 500_000;

  /**
   * Events rolled up in one transaction, about (whole people): a few milliseconds, so that a
   * request arriving meanwhile waits little (1,000 doubled the median latency at 10,000 events/s).
   */
  static final int SLICE_EVENTS = 250;

  /** Events waiting for the roll-up beyond which it takes as many as are written. */
  static final int MAX_LAG = 200_000;

  /** Roll up once the oldest waiting event has waited this long. */
  static final long ROLLUP_MILLIS = 2_000;

  private final Database db;
  private final Sessions sessions;
  private final java.time.Clock clock;
  private final RecentMessages recent;
  // (person, feature, day) rows known to exist: repeated activity needs no database read.
  private final Set<Triple> known = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final int KNOWN_MAX = 1_000_000;
  // SQLite only: people known to exist. Erasure calls forget() inside its transaction, which holds
  // the database's single write lock, so no write that could still see them runs after it. (On
  // PostgreSQL each write reads their key rows FOR SHARE instead.)
  private final Set<String> alive = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final int aliveMax;

  // One shared string per person (erasure forgets them) and per event name or type.
  private final StringPool people = new StringPool(KNOWN_MAX);
  private final StringPool names = new StringPool(KNOWN_MAX);
  private long nextSeq = -1;
  private final List<UsageEvent> pending = new ArrayList<>();
  private long[] pendingSeqs = new long[1024];
  private long pendingSince;
  // The roll-up under way: events sorted by person, done in slices from rollingAt.
  private List<UsageEvent> rolling = List.of();
  private long[] rollingSeqs = new long[0];
  private int rollingAt;
  private long rollingLast;

  /**
   * The highest position rolled up by the slices of a roll-up that a crash interrupted: the roll-up
   * that finishes their work moves applied_seq at least this far, since those slices' owners rows
   * (first_seq > applied_seq) are what tells their events apart only until applied_seq passes their
   * first_seq.
   */
  private long slicedBeforeCrash;

  private volatile int lag;

  UsageWriter(Database db, Sessions sessions, java.time.Clock clock, RecentMessages recent) {
    this(db, sessions, clock, recent, KNOWN_MAX);
  }

  /** With another bound on the people remembered as present (tests cross it with a few). */
  UsageWriter(
      Database db, Sessions sessions, java.time.Clock clock, RecentMessages recent, int aliveMax) {
    this.aliveMax = aliveMax;
    this.db = Objects.requireNonNull(db, "db");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.recent = Objects.requireNonNull(recent, "recent");
  }

  /**
   * The log positions of one person's rolled-up events, bound to {@code :s}, as a subquery: each
   * owners row lists the positions of the person's events in one roll-up slice. A listed position
   * whose event is gone (the retention purge) matches nothing, and readers also check the person on
   * the event row.
   */
  static String owned(Handle h) {
    return Database.dialectOf(h) == Database.Dialect.SQLITE
        ? "SELECT j.value FROM usage_event_owners o, json_each('[' || o.seqs || ']') j"
            + " WHERE o.subject_id = :s"
        : "SELECT CAST(j AS BIGINT) FROM usage_event_owners o,"
            + " unnest(string_to_array(o.seqs, ',')) AS j WHERE o.subject_id = :s";
  }

  /**
   * The rows of one person's events for readers outside the writer, as a derived table {@code pe}
   * with {@code columns} of usage_events, bound to {@code :s}: those rolled up (found through the
   * owners index) and those after the last roll-up (a short range of the log). One statement, so
   * one consistent view.
   */
  static String personEvents(Handle h, String columns) {
    String owned = owned(h);
    return "(SELECT "
        + columns
        + " FROM usage_events WHERE subject_id = :s AND seq IN ("
        + owned
        + ") UNION ALL SELECT "
        + columns
        + " FROM usage_events WHERE seq > (SELECT applied_seq FROM usage_rollup_state WHERE id = 1)"
        + " AND subject_id = :s"
        + " AND seq NOT IN ("
        + owned
        + ")) pe";
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
          slicedBeforeCrash = 0;
          h.createQuery("SELECT seqs FROM usage_event_owners WHERE first_seq > :a")
              .bind("a", applied[0])
              .mapTo(String.class)
              .forEach(
                  list -> {
                    for (String seq : list.split(",")) {
                      long position = Long.parseLong(seq);
                      sliced.add(position);
                      slicedBeforeCrash = Math.max(slicedBeforeCrash, position);
                    }
                  });
          long windowFrom = recent.firstPosition(h, now, nextSeq);
          long from = Math.min(windowFrom, applied[0] + 1);
          // Everything is reloaded from the database: should a previous attempt have failed half
          // way (a roll-up slice committed, the next not), nothing of it may be rolled up twice.
          recent.clear();
          pending.clear();
          rolling = List.of();
          rollingSeqs = new long[0];
          rollingAt = 0;
          sessions.clear();
          known.clear();
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
                          addPending(
                              seq,
                              compact(
                                  new UsageEvent(
                                      subject,
                                      message,
                                      rs.getString(5),
                                      rs.getString(6),
                                      rs.getLong(4),
                                      rs.getString(7),
                                      null)));
                        }
                        return seq;
                      })
                  .iterator()) {
            rows.forEachRemaining(seq -> {});
          }
          return null;
        });
    if (!pending.isEmpty()) {
      LOG.info("rolling up {} usage events stored before the last stop", pending.size());
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
    boolean lagging = pendingCount() > MAX_LAG;
    boolean slice = rollUpDue();
    if (slice && rollingAt >= rolling.size()) {
      startRollUp();
    }
    // Short slices while the roll-up keeps up; once it lags by more than MAX_LAG events, at least
    // as many rolled up as written.
    int to = slice ? sliceEnd(lagging ? Math.max(SLICE_EVENTS, events.size()) : SLICE_EVENTS) : 0;
    boolean last = to == rolling.size();
    try {
      db.useTransactionFlushedLater(
          h -> {
            append(h, events, now, outcome, added);
            if (slice) {
              rollUpSlice(h, rollingAt, to, last);
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
      sessions.clear();
      known.clear();
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
        if (pending.isEmpty()) {
          pendingSince = now;
        }
        addPending(seq++, compact(events.get(i)));
      }
    }
    lag = pendingCount();
    return outcome;
  }

  /**
   * What the roll-up needs of an event, sharing one string per person and per name: no details, no
   * messageId. Events wait up to a few seconds for the roll-up, so what they hold is copied by
   * every young collection meanwhile; shared strings keep that (and the pauses) small.
   */
  private UsageEvent compact(UsageEvent e) {
    // A request's events come person by person: the person's string is the last one's, mostly.
    if (e.subjectId() != lastPerson) {
      lastPerson = e.subjectId();
      lastShared = people.intern(lastPerson);
    }
    return new UsageEvent(
        lastShared,
        "",
        names.intern(e.type()),
        names.intern(e.name()),
        e.at(),
        names.intern(e.service()),
        null);
  }

  private @org.jspecify.annotations.Nullable String lastPerson;
  private @org.jspecify.annotations.Nullable String lastShared;

  private void addPending(long seq, UsageEvent e) {
    if (pending.size() == pendingSeqs.length) {
      pendingSeqs = java.util.Arrays.copyOf(pendingSeqs, pendingSeqs.length * 2);
    }
    pendingSeqs[pending.size()] = seq;
    pending.add(e);
  }

  /**
   * Inserts the events not stored yet. Each new one's fingerprint enters the dedupe window at once
   * (one probe tells a retry, a repeat within the group included, and remembers a new event);
   * {@code added} counts them, for the caller to take back should the transaction fail.
   */
  private void append(Handle h, List<UsageEvent> events, long now, int[] outcome, int[] added) {
    var present = present(h, events);
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
    return rollingAt < rolling.size()
        || (!pending.isEmpty()
            && (pending.size() >= ROLLUP_EVENTS || clock.millis() - pendingSince >= ROLLUP_MILLIS));
  }

  /**
   * One step of rolling up, short enough to sit between two group commits: starts a roll-up of
   * everything pending when one is due, then rolls up one slice of it (whole people, about
   * SLICE_EVENTS events) in one transaction.
   */
  void rollUpStep() {
    if (rollingAt >= rolling.size()) {
      if (!rollUpDue()) {
        return;
      }
      startRollUp();
    }
    rollUpSlice();
  }

  /** Rolls up everything stored so far. */
  void rollUp() {
    while (rollingAt < rolling.size() || !pending.isEmpty()) {
      if (rollingAt >= rolling.size()) {
        startRollUp();
      }
      rollUpSlice();
    }
  }

  /**
   * Takes everything pending, grouped by person (each person's events in log order), to be done in
   * slices. People go in order of their ids, so that a slice covers a narrow range of every
   * person-keyed table and each page is written by one slice, not by many. Grouping is one hash
   * lookup per event; only the distinct people are sorted.
   */
  private void startRollUp() {
    int n = pending.size();
    Map<String, int[]> groups = new java.util.HashMap<>(Math.max(16, n / 4));
    List<String> subjects = new ArrayList<>();
    int[] groupOf = new int[n];
    for (int i = 0; i < n; i++) {
      String subject = pending.get(i).subjectId();
      int[] g = groups.get(subject);
      if (g == null) {
        g = new int[] {subjects.size(), 0};
        groups.put(subject, g);
        subjects.add(subject);
      }
      groupOf[i] = g[0];
      g[1]++;
    }
    java.util.Collections.sort(subjects);
    // Where each group starts in the sorted layout.
    int[] next = new int[subjects.size()];
    int at = 0;
    for (String subject : subjects) {
      int[] g = groups.get(subject);
      next[g[0]] = at;
      at += g[1];
    }
    UsageEvent[] events = new UsageEvent[n];
    long[] seqs = new long[n];
    for (int i = 0; i < n; i++) {
      int to = next[groupOf[i]]++;
      events[to] = pending.get(i);
      seqs[to] = pendingSeqs[i];
    }
    rollingLast = pendingSeqs[n - 1];
    rolling = java.util.Arrays.asList(events);
    rollingSeqs = seqs;
    rollingAt = 0;
    pending.clear();
    pendingSince = clock.millis();
  }

  /** Where the next slice ends: about {@code events} events on, at a change of person. */
  private int sliceEnd(int events) {
    int end = Math.min(rolling.size(), rollingAt + events);
    while (end < rolling.size()
        && rolling.get(end).subjectId().equals(rolling.get(end - 1).subjectId())) {
      end++;
    }
    return end;
  }

  private void rollUpSlice() {
    int from = rollingAt;
    int to = sliceEnd(SLICE_EVENTS);
    boolean last = to == rolling.size();
    try {
      // Rollups are derived from events already stored durably: should this commit not reach the
      // disk before a power failure, recovery rolls the same events up again.
      db.useRelaxedTransaction(h -> rollUpSlice(h, from, to, last));
    } catch (RuntimeException e) {
      // In-memory state may hold changes that were rolled back; the slice is tried again.
      sessions.clear();
      known.clear();
      throw e;
    }
    sliceDone(to, last);
  }

  private void sliceDone(int to, boolean last) {
    rollingAt = to;
    lag = pendingCount();
    if (last) {
      rolling = List.of();
      rollingSeqs = new long[0];
      rollingAt = 0;
    }
  }

  private void rollUpSlice(Handle h, int from, int end, boolean last) {
    List<UsageEvent> events = rolling.subList(from, end);
    var present = present(h, events);
    List<UsageEvent> alive = new ArrayList<>(events.size());
    try (PreparedStatement insert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO usage_event_owners (subject_id, first_seq, last_seq, seqs)"
                    + " VALUES (?, ?, ?, ?)")) {
      // The slice holds each person's events together, in log order: one owners row per person.
      StringBuilder seqs = new StringBuilder();
      for (int i = from; i < end; ) {
        String subject = rolling.get(i).subjectId();
        int next = i;
        while (next < end && rolling.get(next).subjectId().equals(subject)) {
          next++;
        }
        // An event of a person erased since it was stored is gone with them (erasure deletes the
        // rows not rolled up yet by range).
        if (present.test(subject)) {
          seqs.setLength(0);
          for (int k = i; k < next; k++) {
            if (k > i) {
              seqs.append(',');
            }
            seqs.append(rollingSeqs[k]);
            alive.add(rolling.get(k));
          }
          insert.setString(1, subject);
          insert.setLong(2, rollingSeqs[i]);
          insert.setLong(3, rollingSeqs[next - 1]);
          insert.setString(4, seqs.toString());
          insert.addBatch();
        }
        i = next;
      }
      if (!alive.isEmpty()) {
        insert.executeBatch();
      }
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    // The writer's own reads of a person's events (session rebuilds) go through the owners index,
    // which now holds exactly their events rolled up so far, this slice's included.
    if (!alive.isEmpty()) {
      rollups(h, alive);
    }
    if (last) {
      h.createUpdate("UPDATE usage_rollup_state SET applied_seq = :s WHERE id = 1")
          .bind("s", Math.max(rollingLast, slicedBeforeCrash))
          .execute();
    }
  }

  /** Events stored and not yet rolled up (writer thread). */
  int pendingCount() {
    return pending.size() + rolling.size() - rollingAt;
  }

  /** Events stored and not yet rolled up, as last seen by the writer (any thread). */
  int lag() {
    return lag;
  }

  /** Forgets what is cached about a person (erasure). */
  void forget(String subject) {
    alive.remove(subject);
    people.remove(subject);
    known.removeIf(t -> t.subject().equals(subject));
  }

  /** Forgets everything cached (retention purge). */
  void forgetAll() {
    known.clear();
  }

  private void remember(Triple t) {
    if (known.size() >= KNOWN_MAX) {
      known.clear();
    }
    known.add(t);
  }

  /**
   * Which people of {@code events} still exist; on PostgreSQL, locked against erasure. On SQLite
   * the people seen before answer from memory (erasure calls forget() while holding the write
   * lock).
   */
  private java.util.function.Predicate<String> present(Handle h, List<UsageEvent> events) {
    boolean postgres = db.dialect() == Database.Dialect.POSTGRESQL;
    if (alive.size() > aliveMax) {
      // Bounded memory: everyone is looked up again (before the answers below rely on the set).
      alive.clear();
    }
    Set<String> ask = new HashSet<>();
    String last = null;
    for (UsageEvent e : events) {
      if (e.subjectId() == last) {
        continue;
      }
      last = e.subjectId();
      if (postgres || !alive.contains(last)) {
        ask.add(last);
      }
    }
    if (ask.isEmpty()) {
      return alive::contains;
    }
    Set<String> found = new HashSet<>();
    List<String> subjects = new ArrayList<>(ask);
    String lock = postgres ? " FOR SHARE" : "";
    for (int i = 0; i < subjects.size(); i += CHUNK) {
      found.addAll(
          h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)" + lock)
              .bindList("s", subjects.subList(i, Math.min(subjects.size(), i + CHUNK)))
              .mapTo(String.class)
              .list());
    }
    if (postgres) {
      return found::contains;
    }
    alive.addAll(found);
    return s -> ask.contains(s) ? found.contains(s) : alive.contains(s);
  }

  private static final Comparator<UsageEvent> BY_TIME = Comparator.comparingLong(UsageEvent::at);

  private void rollups(Handle h, List<UsageEvent> stored) {
    // The events come grouped by person (startRollUp); each person's go in time order.
    Deltas deltas = new Deltas();
    Map<String, Sessions.Session> touched = new LinkedHashMap<>();
    // (subject, feature, day) -> uses in this write.
    Map<Triple, Long> triples = new java.util.HashMap<>();
    for (int i = 0, j; i < stored.size(); i = j) {
      String subject = stored.get(i).subjectId();
      for (j = i + 1; j < stored.size() && stored.get(j).subjectId().equals(subject); j++) {}
      List<UsageEvent> mine = stored.subList(i, j);
      mine.sort(BY_TIME);
      sessions.assign(h, mine, touched, deltas);
    }
    for (UsageEvent e : stored) {
      long day = e.day();
      triples.merge(new Triple(e.subjectId(), ANY, day), 1L, Long::sum);
      if (e.isFeatureUse()) {
        triples.merge(new Triple(e.subjectId(), e.name(), day), 1L, Long::sum);
      }
    }
    List<Map.Entry<Triple, Long>> entries = new ArrayList<>(triples.entrySet());
    entries.sort(Map.Entry.comparingByKey());
    try (PersonDays days = new PersonDays(h)) {
      for (Map.Entry<Triple, Long> entry : entries) {
        Triple t = entry.getKey();
        deltas.featureDay(t.feature(), t.day(), entry.getValue());
        if (known.contains(t)) {
          continue;
        }
        if (!days.exists(t)) {
          newDay(h, days, t, deltas);
        }
        remember(t);
      }
    } catch (SQLException e) {
      throw new StoreFailure(e);
    }
    Sessions.flush(h, touched.values(), deltas);
    deltas.apply(h);
  }

  /** The person-day statements of one roll-up slice, prepared once (plain JDBC, hot path). */
  private static final class PersonDays implements AutoCloseable {
    private final PreparedStatement exists;
    private final PreparedStatement before;
    private final PreparedStatement after;
    private final PreparedStatement insert;

    PersonDays(Handle h) throws SQLException {
      var c = h.getConnection();
      String where = " FROM usage_person_days WHERE subject_id = ? AND feature = ? AND day ";
      exists = c.prepareStatement("SELECT 1" + where + "= ?");
      before = c.prepareStatement("SELECT MAX(day)" + where + "< ?");
      after = c.prepareStatement("SELECT MIN(day)" + where + "> ?");
      insert =
          c.prepareStatement(
              "INSERT INTO usage_person_days (subject_id, feature, day) VALUES (?, ?, ?)");
    }

    private static java.sql.ResultSet run(PreparedStatement st, Triple t) throws SQLException {
      st.setString(1, t.subject());
      st.setString(2, t.feature());
      st.setLong(3, t.day());
      return st.executeQuery();
    }

    boolean exists(Triple t) throws SQLException {
      try (var rs = run(exists, t)) {
        return rs.next();
      }
    }

    /** The person's active day of the feature just before t's, or -1. */
    long previous(Triple t) throws SQLException {
      try (var rs = run(before, t)) {
        rs.next(); // an aggregate: always one row, NULL when there is no such day
        long d = rs.getLong(1);
        return rs.wasNull() ? -1 : d;
      }
    }

    /** The person's active day of the feature just after t's, or null. */
    @org.jspecify.annotations.Nullable
    Long next(Triple t) throws SQLException {
      try (var rs = run(after, t)) {
        rs.next();
        long d = rs.getLong(1);
        return rs.wasNull() ? null : d;
      }
    }

    void insert(Triple t) throws SQLException {
      insert.setString(1, t.subject());
      insert.setString(2, t.feature());
      insert.setLong(3, t.day());
      insert.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
      exists.close();
      before.close();
      after.close();
      insert.close();
    }
  }

  /** The person's first activity of this feature on this day: maintain the distinct-people grid. */
  private static void newDay(Handle h, PersonDays days, Triple t, Deltas deltas)
      throws SQLException {
    long d = t.day();
    long p = days.previous(t);
    Long n = days.next(t);
    if (n != null) {
      deltas.gap(t.feature(), n, p, -1);
      deltas.gap(t.feature(), n, d, 1);
    }
    deltas.gap(t.feature(), d, p, 1);
    if (ANY.equals(t.feature())) {
      cohorts(h, t.subject(), d, p, n, deltas);
    }
    days.insert(t);
  }

  /**
   * A new active day may open a new week for the person, or move their first week (their cohort)
   * earlier; in the second case their whole row of the retention matrix moves.
   */
  private static void cohorts(Handle h, String subject, long d, long p, Long n, Deltas deltas) {
    long week = Deltas.week(d);
    boolean newWeek = (p < 0 || Deltas.week(p) != week) && (n == null || Deltas.week(n) != week);
    if (p >= 0) {
      if (newWeek) {
        long first =
            h.createQuery(
                    "SELECT MIN(day) FROM usage_person_days WHERE subject_id = :s AND feature = '*'")
                .bind("s", subject)
                .mapTo(Long.class)
                .one();
        deltas.cohort(Deltas.week(first), week, 1);
      }
      return;
    }
    // The earliest day so far: the cohort is this week now.
    if (n != null) {
      Set<Long> weeks = activeWeeks(h, subject);
      long oldCohort = Deltas.week(n);
      for (long w : weeks) {
        deltas.cohort(oldCohort, w, -1);
        deltas.cohort(week, w, 1);
      }
      if (!weeks.contains(week)) {
        deltas.cohort(week, week, 1);
      }
    } else {
      deltas.cohort(week, week, 1);
    }
  }

  static Set<Long> activeWeeks(Handle h, String subject) {
    Set<Long> weeks = new java.util.TreeSet<>();
    h.createQuery("SELECT day FROM usage_person_days WHERE subject_id = :s AND feature = '*'")
        .bind("s", subject)
        .mapTo(Long.class)
        .forEach(day -> weeks.add(Deltas.week(day)));
    return weeks;
  }

  /** A database failure on the hot path, unchecked like Jdbi's own. */
  static final class StoreFailure extends RuntimeException {
    StoreFailure(SQLException cause) {
      super(cause);
    }
  }

  /** A (person, feature, day) key. */
  record Triple(String subject, String feature, long day) implements Comparable<Triple> {
    @Override
    public int compareTo(Triple o) {
      int c = subject.compareTo(o.subject);
      if (c != 0) return c;
      c = feature.compareTo(o.feature);
      if (c != 0) return c;
      return Long.compare(day, o.day);
    }
  }
}
