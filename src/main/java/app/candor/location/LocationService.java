package app.candor.location;

import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The location domain put together, and its life: the people-nearby index rebuilt from the database
 * at start, what erasure and the retention purge delete, what the person's report reads, and the
 * move of updates from the append-only log into the history table (sorted by person, every {@link
 * #MOVE_EVERY_MILLIS} ms, on a thread of its own). Updates are {@link PositionUpdates}, queries
 * {@link PeopleNearby}, reactions to consent {@link LocationConsents}; they share the index.
 */
public final class LocationService implements AutoCloseable {

  /** How often updates are moved from the log into the history, at most {@link #MOVE_MAX} each. */
  static final long MOVE_EVERY_MILLIS = 500;

  static final int MOVE_MAX = 20_000;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(LocationService.class);

  static final String PRECISE = LocationConsents.PRECISE;
  static final String APPROXIMATE = LocationConsents.APPROXIMATE;

  private final Database db;
  private final SubjectKeys keys;
  private final ConsentLedger ledger;
  private final Config.Location settings;
  private final Clock clock;
  private final NearbyIndex index = new NearbyIndex();
  private final LocationConsents consents;
  private final PositionUpdates updates;
  private final PeopleNearby nearby;
  private final java.util.concurrent.ScheduledExecutorService mover =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "candor-location-mover");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param names the display names of people (from the personal domain, wired at the root)
   * @param gate through which the names of the people shown are read and logged
   * @param mutualContacts for a person, those who have them in their contact list while they have
   *     them in theirs (friends, for friends nearby; from the communication domain)
   */
  public LocationService(
      Database db,
      SubjectKeys keys,
      ConsentLedger ledger,
      Config.Location settings,
      Clock clock,
      Function<Collection<String>, Map<String, String>> names,
      PurposeGate gate,
      Function<String, Set<String>> mutualContacts) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.consents = new LocationConsents(db, keys, ledger, index, clock);
    this.updates = new PositionUpdates(db, keys, consents, index, clock, settings.retentionDays());
    this.nearby =
        new PeopleNearby(
            index,
            consents,
            settings,
            clock,
            Objects.requireNonNull(names, "names"),
            Objects.requireNonNull(gate, "gate"),
            Objects.requireNonNull(mutualContacts, "mutualContacts"));
    rebuild();
    mover.scheduleWithFixedDelay(
        this::moveLogged,
        MOVE_EVERY_MILLIS,
        MOVE_EVERY_MILLIS,
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Moves what the log holds into the history, {@link #MOVE_MAX} at a time; returns how many. A
   * move commits without waiting for the disk: lost in a power failure, it is lost whole, and the
   * updates are still in the log (the next group commit's sync makes it durable anyway).
   */
  int moveLogged() {
    int moved = 0;
    try {
      int n;
      do {
        int[] step = new int[1];
        db.useRelaxedTransaction(h -> step[0] = LocationRepository.move(h, MOVE_MAX));
        n = step[0];
        moved += n;
      } while (n == MOVE_MAX);
    } catch (RuntimeException e) {
      // Retried at the next tick; the rows stay in the log meanwhile. No personal data in logs.
      LOG.warn("moving position updates into the history failed: {}", e.getClass().getName());
    }
    return moved;
  }

  /** Position updates. */
  public PositionUpdates updates() {
    return updates;
  }

  /** People nearby. */
  public PeopleNearby nearby() {
    return nearby;
  }

  /** A consent changed on this node (the ledger's listener). */
  public void consentChanged(String subjectId, Purpose purpose) {
    consents.changed(subjectId, purpose);
  }

  /**
   * Fills the index from the current positions stored (derived state), after deleting what a
   * withdrawal left behind should the process have stopped between the consent and the deletion.
   */
  private void rebuild() {
    consents.sweepWithdrawn();
    long since = clock.millis() - Duration.ofDays(settings.retentionDays()).toMillis();
    List<LocationRepository.Current> current =
        db.withHandle(h -> LocationRepository.currentSince(h, since));
    Set<String> located = ledger.holders(Purpose.LOCATION);
    Set<String> visible =
        ledger.holders(Purpose.NEARBY_DISCOVERY, Set.of(LocationConsents.EVERYONE));
    for (LocationRepository.Current c : current) {
      if (!located.contains(c.subjectId())) {
        continue;
      }
      index.update(
          c.subjectId(),
          Grid.centreLat(c.cell()),
          Grid.centreLon(c.cell()),
          c.at(),
          visible.contains(c.subjectId()));
    }
  }

  Database database() {
    return db;
  }

  /** Erasure: forgets the person in memory and deletes their rows in the erasure's transaction. */
  int erase(org.jdbi.v3.core.Handle h, String subjectId) {
    index.remove(subjectId);
    consents.forget(subjectId);
    nearby.forget(subjectId);
    return LocationRepository.erase(h, subjectId);
  }

  /** Deletes positions older than the retention; returns how many people lost their current one. */
  public int purgeExpired() {
    consents.sweepWithdrawn();
    long before = clock.millis() - Duration.ofDays(settings.retentionDays()).toMillis();
    List<String> gone = db.inTransaction(h -> LocationRepository.purge(h, before));
    for (String subject : gone) {
      synchronized (consents.lockOf(subject)) {
        // Unless a newer position arrived since the purge read the table.
        if (index.timeOf(subject) < before) {
          index.remove(subject);
        }
      }
    }
    return gone.size();
  }

  /** Someone visible with a current position, to show people nearby with (the demo). */
  public Optional<String> someone() {
    Set<String> visible =
        ledger.holders(Purpose.NEARBY_DISCOVERY, Set.of(LocationConsents.EVERYONE));
    return db
        .withHandle(
            h ->
                h.createQuery("SELECT subject_id FROM location_current ORDER BY subject_id")
                    .mapTo(String.class)
                    .list())
        .stream()
        .filter(visible::contains)
        .findFirst();
  }

  /** People with a position in the index (a metric). */
  public int indexed() {
    return index.size();
  }

  /** What the person's report and export show (the location domain's provider reads these). */
  record History(List<LocationRepository.Point> points, Optional<Aead> aead) {}

  History history(String subjectId) {
    return new History(
        db.withHandle(h -> LocationRepository.history(h, subjectId)), keys.find(subjectId));
  }

  static double[] decrypt(Aead aead, String subjectId, byte[] ct) {
    String[] parts =
        FieldCipher.decrypt(aead, subjectId, PositionUpdates.POSITION_FIELD, ct).split(",");
    double[] out = new double[3];
    out[0] = Double.parseDouble(parts[0]);
    out[1] = Double.parseDouble(parts[1]);
    out[2] = parts.length > 2 ? Double.parseDouble(parts[2]) : Double.NaN;
    return out;
  }

  Optional<LocationRepository.Current> current(String subjectId) {
    return db.withHandle(h -> LocationRepository.currentOf(h, subjectId));
  }

  /** How far back "where the person usually is" looks. */
  static final long USUAL_DAYS = 30;

  /**
   * How far, in km, the person's current position is from where they usually are (the grid square
   * of about 1 km they were in most often over the last {@value #USUAL_DAYS} days), for fraud
   * defence: a payment made far from usual. Empty without location consent (as the catalog
   * promises) or without positions. Computed between grid-square centres, so it says nothing finer
   * than the approximate level does.
   */
  public Optional<Double> kmFromUsual(String subjectId) {
    if (consents.of(subjectId).level().isEmpty()) {
      return Optional.empty();
    }
    Optional<LocationRepository.Current> now = current(subjectId);
    if (now.isEmpty()) {
      return Optional.empty();
    }
    long since = clock.millis() - USUAL_DAYS * 86_400_000L;
    Optional<Integer> usual =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT cell FROM (SELECT cell FROM location_points WHERE subject_id = :s"
                            + " AND at >= :t UNION ALL SELECT cell FROM location_log"
                            + " WHERE subject_id = :s AND at >= :t) p"
                            + " GROUP BY cell ORDER BY COUNT(*) DESC, cell LIMIT 1")
                    .bind("s", subjectId)
                    .bind("t", since)
                    .mapTo(Integer.class)
                    .findOne());
    int cell = now.get().cell();
    return usual.map(
        u ->
            Grid.distanceKm(
                Grid.centreLat(cell), Grid.centreLon(cell), Grid.centreLat(u), Grid.centreLon(u)));
  }

  /** Writes the updates still queued, then stops the writer and the mover. */
  @Override
  public void close() {
    updates.close();
    mover.shutdownNow();
    try {
      mover.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
