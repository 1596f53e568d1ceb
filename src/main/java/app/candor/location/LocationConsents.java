package app.candor.location;

import app.candor.core.catalog.Purpose;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two consents the location domain acts on, {@code location} (with its level) and {@code
 * nearby_discovery}, cached per person for a few seconds, and what a change of them does here: a
 * withdrawal of {@code location} forgets every position at once, a move to the approximate level
 * forgets the precise ones, and {@code nearby_discovery} shows or hides the person.
 *
 * <p>The cache only saves the request threads a query: what is stored is decided against the
 * database inside the writing transaction ({@link PositionWriter}). A change made on this node
 * clears the entry at once, under the person's lock; one made on another node is seen here within
 * {@link #TTL_MILLIS} when it grants (an update refused meanwhile is refused here, where the
 * person's answer is quick), and within {@link #TTL_HOLDING_MILLIS} when it withdraws (updates are
 * then refused by the writer all the same; only whether the person may ask for people nearby waits
 * for it).
 */
final class LocationConsents {

  private static final Logger LOG = LoggerFactory.getLogger(LocationConsents.class);

  static final String PRECISE = "precise";
  static final String APPROXIMATE = "approximate";

  /** The {@code nearby_discovery} level that shows a person to everyone nearby. */
  static final String EVERYONE = "everyone";

  /** The {@code nearby_discovery} level that shows a person to their friends nearby only. */
  static final String FRIENDS = "friends";

  /** How long a cached "no" is trusted: a grant made on another node shows within it. */
  static final long TTL_MILLIS = 5_000;

  /** How long a cached "yes" is trusted (the writer checks again in its transaction). */
  static final long TTL_HOLDING_MILLIS = 30_000;

  /**
   * Whether the person exists, and their consents that matter here; {@code level} empty without
   * {@code location}; {@code visible} to everyone nearby ({@code nearby_discovery} at level
   * everyone), {@code toFriends} at either level.
   */
  record Consent(
      boolean exists, Optional<String> level, boolean visible, boolean toFriends, long readAt) {
    boolean precise() {
      return level.filter(PRECISE::equals).isPresent();
    }
  }

  private final Database db;
  private final SubjectKeys keys;
  private final ConsentLedger ledger;
  private final NearbyIndex index;
  private final Clock clock;
  private final Map<String, Consent> cache = new ConcurrentHashMap<>();
  private final Object[] personLocks = new Object[256];

  LocationConsents(
      Database db, SubjectKeys keys, ConsentLedger ledger, NearbyIndex index, Clock clock) {
    this.db = db;
    this.keys = keys;
    this.ledger = ledger;
    this.index = index;
    this.clock = clock;
    for (int i = 0; i < personLocks.length; i++) {
      personLocks[i] = new Object();
    }
  }

  /**
   * The lock a person's index changes and consent reactions take, so that a consent read before a
   * change is never cached after it, and no position enters the index after a withdrawal here.
   */
  Object lockOf(String subjectId) {
    return personLocks[Math.floorMod(subjectId.hashCode(), personLocks.length)];
  }

  /** The person's standing, from the cache when fresh. */
  Consent of(String subjectId) {
    long now = clock.millis();
    Consent c = cache.get(subjectId);
    if (c != null && now - c.readAt() < (c.level().isPresent() ? TTL_HOLDING_MILLIS : TTL_MILLIS)) {
      return c;
    }
    boolean exists = keys.exists(subjectId);
    List<ConsentLedger.State> states = exists ? ledger.current(subjectId) : List.of();
    Optional<String> level = Optional.empty();
    boolean visible = false;
    boolean toFriends = false;
    for (ConsentLedger.State s : states) {
      if (s.purpose() == Purpose.LOCATION && s.granted()) {
        level = Optional.of(s.level().orElse(APPROXIMATE));
      } else if (s.purpose() == Purpose.NEARBY_DISCOVERY) {
        visible = toEveryone(s);
        toFriends = s.granted();
      }
    }
    c = new Consent(exists, level, visible, toFriends, now);
    if (cache.size() > 1_000_000) {
      cache.clear();
    }
    cache.put(subjectId, c);
    return c;
  }

  /** A consent changed on this node: react to it (see the class comment). */
  void changed(String subjectId, Purpose purpose) {
    synchronized (lockOf(subjectId)) {
      cache.remove(subjectId);
      try {
        if (purpose == Purpose.LOCATION) {
          ConsentLedger.State state = ledger.state(subjectId, Purpose.LOCATION);
          if (!state.granted()) {
            index.remove(subjectId);
            db.useTransaction(h -> LocationRepository.erase(h, subjectId));
          } else if (state.level().orElse(APPROXIMATE).equals(APPROXIMATE)) {
            db.useTransaction(h -> LocationRepository.forgetPrecise(h, subjectId));
          }
        } else if (purpose == Purpose.NEARBY_DISCOVERY) {
          index.visible(subjectId, toEveryone(ledger.state(subjectId, Purpose.NEARBY_DISCOVERY)));
        }
      } catch (RuntimeException e) {
        // The choice itself is recorded; what it leaves behind is deleted at the next start or
        // retention purge (sweepWithdrawn). The class name only: no personal data in logs.
        LOG.error("applying a location consent change failed: {}", e.getClass().getName());
      }
    }
  }

  /**
   * Whether {@code nearby_discovery} shows the person to everyone nearby: granted, at level
   * everyone (a grant recorded without a level is at everyone). Only such people are in the index's
   * buckets; those visible to friends only are found through their friends' lists alone.
   */
  static boolean toEveryone(ConsentLedger.State s) {
    return s.granted() && s.level().orElse(EVERYONE).equals(EVERYONE);
  }

  /** Deletes the positions of everyone who no longer holds {@code location}; how many people. */
  int sweepWithdrawn() {
    Set<String> located = ledger.holders(Purpose.LOCATION);
    int swept = 0;
    for (String subject : db.withHandle(LocationRepository::subjectsWithPositions)) {
      if (!located.contains(subject)) {
        synchronized (lockOf(subject)) {
          index.remove(subject);
          db.useTransaction(h -> LocationRepository.erase(h, subject));
        }
        swept++;
      }
    }
    return swept;
  }

  /** Forgets the cached decisions of an erased person. */
  void forget(String subjectId) {
    cache.remove(subjectId);
  }
}
