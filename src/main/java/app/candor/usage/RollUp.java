package app.candor.usage;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The writer's roll-up queue: the events stored and not yet rolled up ({@link #stored}), and the
 * roll-up under way, which takes them all at once ({@link #start}), sorted by person, and is done
 * in slices of whole people ({@link #slice}), each writing the owners rows of its events and
 * handing them to the {@link RollupMaintenance}. The last slice records the last position applied.
 * Writer thread only, but for {@link #forget} (erasure, from any thread).
 */
final class RollUp {
  /** Roll up once this many events wait, even before ROLLUP_MILLIS. */
  static final int ROLLUP_EVENTS = 500_000;

  /** Roll up once the oldest waiting event has waited this long. */
  static final long ROLLUP_MILLIS = 2_000;

  private static final int POOL_MAX = 1_000_000;

  private final Clock clock;
  private final Presence presence;
  private final RollupMaintenance rollups;

  // One shared string per person (erasure forgets them) and per event name or type.
  private final StringPool people = new StringPool(POOL_MAX);
  private final StringPool names = new StringPool(POOL_MAX);
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

  RollUp(Clock clock, Presence presence, RollupMaintenance rollups) {
    this.clock = clock;
    this.presence = presence;
    this.rollups = rollups;
  }

  /** An event just stored at {@code seq}; the first one waiting starts the wait at {@code now}. */
  void stored(long seq, UsageEvent e, long now) {
    if (pending.isEmpty()) {
      pendingSince = now;
    }
    addPending(seq, compact(e));
  }

  /** An event found in the log at start: stored, and not rolled up before the last stop. */
  void recovered(long seq, UsageEvent e) {
    addPending(seq, compact(e));
  }

  /**
   * Empties the queue, for recovery to fill it again from the log; {@code slicedBeforeCrash} is the
   * highest position that slices of an interrupted roll-up rolled up.
   */
  void reset(long slicedBeforeCrash) {
    this.slicedBeforeCrash = slicedBeforeCrash;
    pending.clear();
    rolling = List.of();
    rollingSeqs = new long[0];
    rollingAt = 0;
  }

  /** Whether a roll-up is under way, or events waited long enough, or are many enough, for one. */
  boolean due() {
    return underWay()
        || (!pending.isEmpty()
            && (pending.size() >= ROLLUP_EVENTS || clock.millis() - pendingSince >= ROLLUP_MILLIS));
  }

  /** Whether slices of a roll-up remain to be done. */
  boolean underWay() {
    return rollingAt < rolling.size();
  }

  /** Where the next slice starts. */
  int position() {
    return rollingAt;
  }

  /** Whether a slice ending at {@code end} finishes the roll-up under way. */
  boolean finishes(int end) {
    return end == rolling.size();
  }

  /** Events stored and not yet rolled up. */
  int pendingCount() {
    return pending.size() + rolling.size() - rollingAt;
  }

  /** Forgets the person's shared string (erasure). */
  void forget(String subject) {
    people.remove(subject);
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

  private @Nullable String lastPerson;
  private @Nullable String lastShared;

  private void addPending(long seq, UsageEvent e) {
    if (pending.size() == pendingSeqs.length) {
      pendingSeqs = Arrays.copyOf(pendingSeqs, pendingSeqs.length * 2);
    }
    pendingSeqs[pending.size()] = seq;
    pending.add(e);
  }

  /**
   * Takes everything pending, grouped by person (each person's events in log order), to be done in
   * slices. People go in order of their ids, so that a slice covers a narrow range of every
   * person-keyed table and each page is written by one slice, not by many. Grouping is one hash
   * lookup per event; only the distinct people are sorted.
   */
  void start() {
    int n = pending.size();
    Map<String, int[]> groups = new HashMap<>(Math.max(16, n / 4));
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
    Collections.sort(subjects);
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
    rolling = Arrays.asList(events);
    rollingSeqs = seqs;
    rollingAt = 0;
    pending.clear();
    pendingSince = clock.millis();
  }

  /** Where the next slice ends: about {@code events} events on, at a change of person. */
  int sliceEnd(int events) {
    int end = Math.min(rolling.size(), rollingAt + events);
    while (end < rolling.size()
        && rolling.get(end).subjectId().equals(rolling.get(end - 1).subjectId())) {
      end++;
    }
    return end;
  }

  /** The slice ending at {@code to} is committed; the roll-up ends with its {@code last} slice. */
  void sliceDone(int to, boolean last) {
    rollingAt = to;
    if (last) {
      rolling = List.of();
      rollingSeqs = new long[0];
      rollingAt = 0;
    }
  }

  /**
   * Rolls up the events of [from, end) of the roll-up under way inside the caller's transaction:
   * one owners row per person still present, then every rollup; {@code last} moves applied_seq.
   */
  void slice(Handle h, int from, int end, boolean last) {
    List<UsageEvent> events = rolling.subList(from, end);
    var present = presence.of(h, events);
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
      rollups.apply(h, alive);
    }
    if (last) {
      h.createUpdate("UPDATE usage_rollup_state SET applied_seq = :s WHERE id = 1")
          .bind("s", Math.max(rollingLast, slicedBeforeCrash))
          .execute();
    }
  }
}
