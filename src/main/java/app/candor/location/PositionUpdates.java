package app.candor.location;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Position updates, one person's or many people's at once: checked against the person's consent
 * (cached), snapped to the grid at the approximate level or encrypted with the person's key at the
 * precise one, on the request thread; then written through the group commit, which checks consent
 * and existence again inside its transaction, and answered only once durable. The people-nearby
 * index takes each update once it is durable, unless a withdrawal on this node came first.
 */
public final class PositionUpdates implements AutoCloseable {

  /** Position updates: the person, and services with {@code location}. */
  public static final Access UPDATES =
      Access.forPurpose("position updates", Purpose.LOCATION, "location.history");

  /** Position updates in one request at most. */
  public static final int MAX_BATCH = 1_000;

  /** How far ahead of the server's clock a timestamp may be. */
  static final Duration MAX_AHEAD = Duration.ofMinutes(10);

  /** The context of position ciphertexts (bound to the person as well). */
  static final String POSITION_FIELD = "location.position";

  /** What one person's update request stored. */
  public record Stored(int stored, String precision, int flagged) {}

  /** An update of {@code POST /v1/locations}: whose, and where. */
  public record Keyed(String userId, Position position) {}

  /** What became of the updates of a {@code POST /v1/locations} (the rejected ones aside). */
  public record Counts(int stored, int flagged, int droppedNoConsent) {}

  private final SubjectKeys keys;
  private final LocationConsents consents;
  private final NearbyIndex index;
  private final Clock clock;
  private final int retentionDays;
  private final GroupCommit<List<PositionWriter.Pending>, List<PositionWriter.Written>> commits;

  PositionUpdates(
      Database db,
      SubjectKeys keys,
      LocationConsents consents,
      NearbyIndex index,
      Clock clock,
      int retentionDays) {
    this.keys = keys;
    this.consents = consents;
    this.index = index;
    this.clock = clock;
    this.retentionDays = retentionDays;
    // At most 1,000 requests wait (each up to MAX_BATCH updates, so at most about 150 MB), and a
    // transaction takes at most 1,000 of them; past that the route answers 503 with Retry-After.
    this.commits =
        new GroupCommit<>("location", db, new PositionWriter(index, clock), 1_000, 1_000);
  }

  /**
   * Why {@code atMillis} cannot be an update's time (too far ahead, older than the retention), or
   * empty: for the edge, which names the field.
   */
  public Optional<String> timestampProblem(long atMillis) {
    long now = clock.millis();
    if (atMillis > now + MAX_AHEAD.toMillis()) {
      return Optional.of("is more than 10 minutes in the future");
    }
    if (atMillis < now - Duration.ofDays(retentionDays).toMillis()) {
      return Optional.of("is older than the " + retentionDays + "-day retention");
    }
    return Optional.empty();
  }

  /**
   * Stores the granted person's updates, all or none: 403 without {@code location} consent (also
   * when it was withdrawn while the updates waited), 404 when the person was erased meanwhile.
   */
  public Stored store(Grant grant, List<Position> updates) {
    return GroupCommit.await(storeLater(grant, updates), "location");
  }

  /**
   * As {@link #store}, without waiting: the checks made before writing throw at once; the future
   * completes once the updates are durable, or fails as {@link #store} would throw.
   */
  public CompletableFuture<Stored> storeLater(Grant grant, List<Position> updates) {
    String subjectId = grant.subjectId();
    LocationConsents.Consent consent = consents.of(subjectId);
    if (!consent.exists()) {
      throw CandorException.notFound("person");
    }
    if (consent.level().isEmpty()) {
      throw noConsent();
    }
    return commits
        .submitBounded(List.of(pending(subjectId, consent.precise(), updates)))
        .thenApply(
            written -> {
              PositionWriter.Written w = written.get(0);
              switch (w.refusal()) {
                case NO_CONSENT -> throw noConsent();
                case ERASED -> throw CandorException.notFound("person");
                case NONE -> apply(subjectId, w);
              }
              return new Stored(
                  w.stored(),
                  w.precise() ? LocationConsents.PRECISE : LocationConsents.APPROXIMATE,
                  w.flagged());
            });
  }

  /**
   * Stores many people's updates: those of people without {@code location} consent (or unknown, or
   * erased meanwhile) are dropped and counted; the rest are durable when this returns.
   */
  public Counts storeAll(List<Keyed> updates) {
    return GroupCommit.await(storeAllLater(updates), "location");
  }

  /** As {@link #storeAll}, without waiting: the future completes once the updates are durable. */
  public CompletableFuture<Counts> storeAllLater(List<Keyed> updates) {
    Map<String, List<Position>> byPerson = new LinkedHashMap<>();
    for (Keyed k : updates) {
      byPerson.computeIfAbsent(k.userId(), id -> new ArrayList<>()).add(k.position());
    }
    int dropped = 0;
    List<PositionWriter.Pending> request = new ArrayList<>(byPerson.size());
    for (Map.Entry<String, List<Position>> e : byPerson.entrySet()) {
      LocationConsents.Consent consent = consents.of(e.getKey());
      if (consent.level().isEmpty()) {
        dropped += e.getValue().size();
      } else {
        request.add(pending(e.getKey(), consent.precise(), e.getValue()));
      }
    }
    if (request.isEmpty()) {
      return CompletableFuture.completedFuture(new Counts(0, 0, dropped));
    }
    int droppedBefore = dropped;
    // One item: the whole request is stored in one transaction, or (503) none of it.
    return commits
        .submitBounded(request)
        .thenApply(
            written -> {
              int stored = 0;
              int flagged = 0;
              int droppedAfter = droppedBefore;
              for (int i = 0; i < written.size(); i++) {
                PositionWriter.Written w = written.get(i);
                if (w.refusal() == PositionWriter.Refusal.NONE) {
                  stored += w.stored();
                  flagged += w.flagged();
                  apply(request.get(i).subjectId(), w);
                } else {
                  droppedAfter += request.get(i).fixes().size();
                }
              }
              return new Counts(stored, flagged, droppedAfter);
            });
  }

  /** Updates waiting to be written, on the request thread: snapped, or encrypted. */
  private PositionWriter.Pending pending(
      String subjectId, boolean precise, List<Position> updates) {
    List<Position> sorted = new ArrayList<>(updates);
    sorted.sort(Comparator.comparingLong(Position::at));
    Aead aead =
        precise ? keys.find(subjectId).orElseThrow(() -> CandorException.notFound("person")) : null;
    List<PositionWriter.Fix> fixes = new ArrayList<>(sorted.size());
    for (Position u : sorted) {
      int cell = Grid.cell(u.lat(), u.lon());
      byte[] ct =
          precise
              ? FieldCipher.encryptToBytes(
                  aead, subjectId, POSITION_FIELD, u.text().getBytes(StandardCharsets.UTF_8))
              : null;
      fixes.add(new PositionWriter.Fix(u.lat(), u.lon(), u.at(), cell, ct));
    }
    return new PositionWriter.Pending(subjectId, precise, fixes);
  }

  /**
   * The people-nearby index takes what was stored, as judged, under the person's lock: a withdrawal
   * on this node before it is seen here (its reaction emptied the cache and removed the person),
   * and one after it removes the person again.
   */
  private void apply(String subjectId, PositionWriter.Written w) {
    if (w.judged().isEmpty()) {
      return;
    }
    synchronized (consents.lockOf(subjectId)) {
      LocationConsents.Consent now = consents.of(subjectId);
      if (now.level().isEmpty()) {
        return;
      }
      for (PositionWriter.Judged j : w.judged()) {
        index.apply(subjectId, j.lat(), j.lon(), j.at(), now.visible(), j.flagged());
      }
    }
  }

  private static CandorException noConsent() {
    return CandorException.forbidden(
        "this person has not consented to 'location'; nothing was stored");
  }

  /** Updates still waiting (a metric). */
  public int backlog() {
    return commits.backlog();
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() {
    commits.close();
  }
}
