package app.candor.location;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.RateLimiter;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.store.Database;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The location domain's rules: position updates (consent, validation, snapping to the grid for the
 * approximate level, impossible travel, encryption), people nearby (bands and a stable shuffle,
 * rate limits, probing detection), and what consent withdrawal and erasure do.
 */
public final class LocationService {

  /** Position updates in one request at most. */
  public static final int MAX_BATCH = 1_000;

  /** The largest radius people nearby may be asked for, in km. */
  public static final int MAX_RADIUS_KM = 50;

  public static final int MAX_LIMIT = 100;

  /** Distinct cells one viewer may ask from in {@link #PROBE_WINDOW} before being refused. */
  static final int MAX_QUERY_CELLS = 12;

  static final Duration PROBE_WINDOW = Duration.ofHours(1);

  /** How far ahead of the server's clock a timestamp may be. */
  static final Duration MAX_AHEAD = Duration.ofMinutes(10);

  /** Position updates: the person, and services with {@code location}. */
  public static final Access UPDATES =
      Access.forPurpose("position updates", Purpose.LOCATION, "location.history");

  /** People nearby: the viewer, and services with {@code nearby_discovery} asking for them. */
  public static final Access NEARBY =
      Access.forPurpose("people nearby", Purpose.NEARBY_DISCOVERY, "location.current");

  /** What people nearby reveals of each person shown: their name and the band of their cell. */
  private static final List<String> SHOWN_FIELDS = List.of("personal.name", "location.current");

  static final String PRECISE = "precise";
  static final String APPROXIMATE = "approximate";

  /** The context of position ciphertexts (bound to the person as well). */
  static final String POSITION_FIELD = "location.position";

  /** What an update request stored. */
  public record Stored(int stored, String precision, int flagged) {}

  /** One person nearby: who, their name, and the band of the distance. */
  public record Neighbour(String userId, String name, String distance) {}

  /** The person's consents that matter here. */
  private record Consent(Optional<String> level, boolean visible) {}

  private final Database db;
  private final SubjectKeys keys;
  private final ConsentLedger consents;
  private final Config.Location settings;
  private final Clock clock;
  private final Function<java.util.Collection<String>, Map<String, String>> names;
  private final PurposeGate gate;
  private final NearbyIndex index = new NearbyIndex();
  private final Map<String, Consent> consentCache = new ConcurrentHashMap<>();
  private final Map<String, Named> nameCache = new ConcurrentHashMap<>();
  private final Map<String, Probes> probes = new ConcurrentHashMap<>();
  private final RateLimiter perViewer;
  private final Object[] personLocks = new Object[256];

  private record Named(String name, long at) {}

  /** The cells a viewer asked from lately. */
  private static final class Probes {
    final LinkedHashMap<Integer, Long> cells = new LinkedHashMap<>();
  }

  /**
   * @param names the display names of people (from the personal domain, wired at the root)
   * @param gate through which the names of the people shown are read and logged
   */
  public LocationService(
      Database db,
      SubjectKeys keys,
      ConsentLedger consents,
      Config.Location settings,
      Clock clock,
      Function<java.util.Collection<String>, Map<String, String>> names,
      PurposeGate gate) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.consents = Objects.requireNonNull(consents, "consents");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.names = Objects.requireNonNull(names, "names");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.perViewer = new RateLimiter(settings.nearbyPerMinute(), Duration.ofMinutes(1), clock);
    for (int i = 0; i < personLocks.length; i++) {
      personLocks[i] = new Object();
    }
    rebuild();
  }

  /**
   * Fills the index from the current positions stored (derived state), after deleting what a
   * withdrawal left behind should the process have stopped between the consent and the deletion.
   */
  private void rebuild() {
    sweepWithdrawn();
    long since = clock.millis() - Duration.ofDays(settings.retentionDays()).toMillis();
    List<LocationRepository.Current> current =
        db.withHandle(h -> LocationRepository.currentSince(h, since));
    java.util.Set<String> located = consents.holders(Purpose.LOCATION);
    java.util.Set<String> visible = consents.holders(Purpose.NEARBY_DISCOVERY);
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

  /** Deletes the positions of everyone who no longer holds {@code location}; how many people. */
  private int sweepWithdrawn() {
    java.util.Set<String> located = consents.holders(Purpose.LOCATION);
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

  Database database() {
    return db;
  }

  /**
   * Stores position updates: {@code {lat, lon, accuracyM, timestamp}} or {@code {batch:[...]}}.
   * Everything is validated first; one bad update rejects the request and nothing is stored.
   */
  public Stored update(Grant grant, JsonNode body) {
    String subjectId = grant.subjectId();
    List<Parsed> updates = parse(body);
    updates.sort(Comparator.comparingLong(Parsed::at));
    // Under the person's lock: a consent change takes the same lock to forget the cached consent
    // and, on withdrawal, to delete everything. So an update either completes before the deletion
    // or sees the withdrawal, and a consent read before a change is never cached after it.
    synchronized (lockOf(subjectId)) {
      Consent consent = consent(subjectId);
      if (consent.level().isEmpty()) {
        throw CandorException.forbidden(
            "this person has not consented to 'location'; nothing was stored");
      }
      boolean precise = consent.level().get().equals(PRECISE);
      Aead aead = precise ? keys.find(subjectId).orElseThrow(() -> notFound()) : null;
      long now = clock.millis();
      List<LocationRepository.Point> points = new ArrayList<>(updates.size());
      int flagged = 0;
      // The index decides plausibility against the last accepted position; the database then
      // stores exactly what the index accepted, flags included.
      long newest = -1;
      int newestCell = -1;
      for (Parsed u : updates) {
        double lat = u.lat();
        double lon = u.lon();
        int cell = Grid.cell(lat, lon);
        if (!precise) {
          lat = Grid.centreLat(cell);
          lon = Grid.centreLon(cell);
        }
        NearbyIndex.Update outcome = index.update(subjectId, lat, lon, u.at(), consent.visible());
        boolean isFlagged = outcome == NearbyIndex.Update.FLAGGED;
        if (isFlagged) {
          flagged++;
        } else if (outcome == NearbyIndex.Update.CURRENT) {
          newest = u.at();
          newestCell = cell;
        }
        byte[] ct =
            precise
                ? FieldCipher.encryptToBytes(
                    aead, subjectId, POSITION_FIELD, position(u).getBytes(StandardCharsets.UTF_8))
                : null;
        points.add(
            new LocationRepository.Point(
                u.at(), now, precise ? PRECISE : APPROXIMATE, cell, ct, isFlagged));
      }
      long at = newest;
      int cell = newestCell;
      try {
        db.useTransaction(
            h -> {
              // Erased meanwhile: nothing may be stored about them any more.
              if (!LocationRepository.present(h, subjectId)) {
                throw notFound();
              }
              LocationRepository.insert(h, subjectId, points);
              if (at >= 0) {
                LocationRepository.current(h, subjectId, at, cell);
              }
            });
      } catch (RuntimeException e) {
        // The index took positions that are not stored: the person leaves it until their next
        // update, rather than being shown where nothing records them.
        index.remove(subjectId);
        throw e;
      }
      return new Stored(points.size(), precise ? PRECISE : APPROXIMATE, flagged);
    }
  }

  private static String position(Parsed u) {
    return u.lat() + "," + u.lon() + (u.accuracyM() == null ? "" : "," + u.accuracyM());
  }

  /**
   * The people nearby the viewer's current position: only people visible to people nearby, with a
   * recent plausible position, as bands of the distance between grid-cell centres, by band and in
   * the viewer's stable shuffle within a band. Never coordinates.
   */
  public List<Neighbour> nearby(Grant viewer, double radiusKm, int limit) {
    String viewerId = viewer.subjectId();
    viewer.reveal("location.current");
    // Only those visible to people nearby see them: otherwise anyone holding just 'location'
    // (or a service acting for them) could serve as an invisible probe.
    if (!consent(viewerId).visible()) {
      throw CandorException.forbidden(
          "people nearby is for people who are visible to them: grant 'nearby_discovery' first");
    }
    if (!perViewer.tryAcquire(viewerId)) {
      throw CandorException.tooManyRequests(
          "at most "
              + settings.nearbyPerMinute()
              + " people-nearby queries a minute; retry in "
              + perViewer.retryAfterSeconds(viewerId)
              + " s");
    }
    long now = clock.millis();
    long since = now - Duration.ofMinutes(settings.recentMinutes()).toMillis();
    NearbyIndex.Answer answer = index.nearby(viewerId, radiusKm, limit, since);
    if (answer.refusal().isPresent()) {
      throw switch (answer.refusal().get()) {
        case NO_RECENT_POSITION ->
            CandorException.conflict(
                "no recent position for this person: send a position update first (and hold"
                    + " 'location' consent)");
        case IMPLAUSIBLE_POSITION ->
            CandorException.conflict(
                "the last position update was impossible travel (faster than an airliner); people"
                    + " nearby are shown again after a plausible update");
      };
    }
    checkProbing(viewerId, answer.viewerCell(), now);
    List<String> hitIds = new ArrayList<>(answer.hits().size());
    answer.hits().forEach(h -> hitIds.add(h.subjectId()));
    // Through the gate: only people holding nearby_discovery now (on any node) are shown, and
    // each is counted into their access log's entry of the day ("shown to 37 people nearby").
    Map<String, String> shown =
        gate.readShown(
            viewer, hitIds, Purpose.NEARBY_DISCOVERY, SHOWN_FIELDS, allowed -> names(allowed, now));
    List<Neighbour> out = new ArrayList<>(shown.size());
    for (NearbyIndex.Hit hit : answer.hits()) {
      String name = shown.get(hit.subjectId());
      // Someone erased, or no longer visible, since the index was read is simply left out.
      if (name != null) {
        out.add(new Neighbour(hit.subjectId(), name, Grid.bandLabel(hit.band())));
      }
    }
    return out;
  }

  /**
   * Probing: asking from many different places in a short time is how people nearby are
   * trilaterated. A viewer who has asked from {@link #MAX_QUERY_CELLS} distinct cells within the
   * last hour is refused until the oldest falls out of the window.
   */
  private void checkProbing(String viewerId, int cell, long now) {
    Probes p = probes.computeIfAbsent(viewerId, k -> new Probes());
    synchronized (p) {
      p.cells.values().removeIf(t -> t < now - PROBE_WINDOW.toMillis());
      if (!p.cells.containsKey(cell) && p.cells.size() >= MAX_QUERY_CELLS) {
        throw CandorException.tooManyRequests(
            "people nearby was asked from "
                + MAX_QUERY_CELLS
                + " different places within an hour; this looks like probing, try again later");
      }
      p.cells.put(cell, now);
    }
    if (probes.size() > 1_000_000) {
      probes.clear();
    }
  }

  /** The names of {@code subjectIds}: from the five-minute cache, the rest in one read. */
  private Map<String, String> names(java.util.Set<String> subjectIds, long now) {
    Map<String, String> out = new java.util.HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String id : subjectIds) {
      Named cached = nameCache.get(id);
      if (cached != null && cached.at() > now - 300_000) {
        out.put(id, cached.name());
      } else {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      Map<String, String> read = names.apply(missing);
      if (nameCache.size() > 1_000_000) {
        nameCache.clear();
      }
      for (String id : missing) {
        String name = read.get(id);
        if (name == null) {
          nameCache.remove(id);
        } else {
          nameCache.put(id, new Named(name, now));
          out.put(id, name);
        }
      }
    }
    return out;
  }

  /** A consent changed: withdrawal of location forgets every position at once. */
  public void consentChanged(String subjectId, Purpose purpose) {
    synchronized (lockOf(subjectId)) {
      consentCache.remove(subjectId);
      try {
        if (purpose == Purpose.LOCATION) {
          ConsentLedger.State state = consents.state(subjectId, Purpose.LOCATION);
          if (!state.granted()) {
            index.remove(subjectId);
            db.useTransaction(h -> LocationRepository.erase(h, subjectId));
          } else if (state.level().orElse(APPROXIMATE).equals(APPROXIMATE)) {
            db.useTransaction(h -> LocationRepository.forgetPrecise(h, subjectId));
          }
        } else if (purpose == Purpose.NEARBY_DISCOVERY) {
          index.visible(subjectId, consents.holds(subjectId, Purpose.NEARBY_DISCOVERY));
        }
      } catch (RuntimeException e) {
        // The choice itself is recorded; what it leaves behind is deleted at the next start or
        // retention purge (sweepWithdrawn). The class name only: no personal data in logs.
        org.slf4j.LoggerFactory.getLogger(LocationService.class)
            .error("applying a location consent change failed: {}", e.getClass().getName());
      }
    }
  }

  private Object lockOf(String subjectId) {
    return personLocks[Math.floorMod(subjectId.hashCode(), personLocks.length)];
  }

  /** Erasure: forgets the person in memory and deletes their rows in the erasure's transaction. */
  int erase(org.jdbi.v3.core.Handle h, String subjectId) {
    index.remove(subjectId);
    consentCache.remove(subjectId);
    nameCache.remove(subjectId);
    probes.remove(subjectId);
    return LocationRepository.erase(h, subjectId);
  }

  /** Deletes positions older than the retention; returns how many people lost their current one. */
  public int purgeExpired() {
    sweepWithdrawn();
    long before = clock.millis() - Duration.ofDays(settings.retentionDays()).toMillis();
    List<String> gone = db.inTransaction(h -> LocationRepository.purge(h, before));
    for (String subject : gone) {
      synchronized (lockOf(subject)) {
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
    java.util.Set<String> visible = consents.holders(Purpose.NEARBY_DISCOVERY);
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

  private Consent consent(String subjectId) {
    Consent c = consentCache.get(subjectId);
    if (c != null) {
      return c;
    }
    List<ConsentLedger.State> states = consents.current(subjectId);
    Optional<String> level = Optional.empty();
    boolean visible = false;
    for (ConsentLedger.State s : states) {
      if (s.purpose() == Purpose.LOCATION && s.granted()) {
        level = Optional.of(s.level().orElse(APPROXIMATE));
      } else if (s.purpose() == Purpose.NEARBY_DISCOVERY) {
        visible = s.granted();
      }
    }
    c = new Consent(level, visible);
    if (consentCache.size() > 1_000_000) {
      consentCache.clear();
    }
    consentCache.put(subjectId, c);
    return c;
  }

  private static CandorException notFound() {
    return CandorException.notFound("person");
  }

  /** A validated update. */
  record Parsed(double lat, double lon, @Nullable Double accuracyM, long at) {}

  private List<Parsed> parse(JsonNode body) {
    Validation v = new Validation();
    List<Parsed> out = new ArrayList<>();
    if (body.has("batch")) {
      JsonNode batch = body.get("batch");
      if (body.size() > 1) {
        v.add("batch", "send either {batch:[...]} or one update, not both");
      }
      if (!batch.isArray() || batch.isEmpty()) {
        v.add("batch", "must be a non-empty array of {lat, lon, accuracyM, timestamp}");
      } else if (batch.size() > MAX_BATCH) {
        throw new CandorException(
            CandorException.Kind.PAYLOAD_TOO_LARGE,
            "at most " + MAX_BATCH + " updates per request, got " + batch.size());
      } else {
        for (int i = 0; i < batch.size(); i++) {
          parseOne(batch.get(i), "batch[" + i + "].", v, out);
        }
      }
    } else {
      parseOne(body, "", v, out);
    }
    v.throwIfInvalid();
    return out;
  }

  private void parseOne(JsonNode node, String prefix, Validation v, List<Parsed> out) {
    if (!node.isObject()) {
      v.add(
          prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
          "must be an object");
      return;
    }
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!List.of("lat", "lon", "accuracyM", "timestamp").contains(f)) {
                v.add(prefix + f, "unknown field; expected lat, lon, accuracyM, timestamp");
              }
            });
    Double lat = number(node, prefix, "lat", -90, 90, true, v);
    Double lon = number(node, prefix, "lon", -180, 180, true, v);
    Double accuracy = number(node, prefix, "accuracyM", 0, 100_000, false, v);
    Long at = timestamp(node.get("timestamp"), prefix + "timestamp", v);
    if (lat != null && lon != null && at != null) {
      out.add(new Parsed(lat, lon, accuracy, at));
    }
  }

  private static @Nullable Double number(
      JsonNode node,
      String prefix,
      String field,
      double min,
      double max,
      boolean required,
      Validation v) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        v.add(prefix + field, "is required");
      }
      return null;
    }
    if (!value.isNumber()) {
      v.add(prefix + field, "must be a number, got " + kind(value));
      return null;
    }
    double d = value.doubleValue();
    if (!Double.isFinite(d) || d < min || d > max) {
      v.add(prefix + field, "must be between " + fmt(min) + " and " + fmt(max) + ", got " + value);
      return null;
    }
    return d;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private @Nullable Long timestamp(@Nullable JsonNode value, String field, Validation v) {
    if (value == null || value.isNull()) {
      v.add(field, "is required (ISO-8601 with an offset, e.g. 2026-12-01T10:15:30Z)");
      return null;
    }
    if (!value.isTextual()) {
      v.add(field, "must be an ISO-8601 string with an offset, got " + kind(value));
      return null;
    }
    long at;
    try {
      at = OffsetDateTime.parse(value.asText()).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      v.add(field, "must be ISO-8601 with an offset, e.g. 2026-12-01T10:15:30Z");
      return null;
    }
    long now = clock.millis();
    if (at > now + MAX_AHEAD.toMillis()) {
      v.add(field, "is more than 10 minutes in the future");
      return null;
    }
    if (at < now - Duration.ofDays(settings.retentionDays()).toMillis()) {
      v.add(field, "is older than the " + settings.retentionDays() + "-day retention");
      return null;
    }
    return at;
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** What the person's report and export show (the location domain's provider reads these). */
  record History(List<LocationRepository.Point> points, Optional<Aead> aead) {}

  History history(String subjectId) {
    return new History(
        db.withHandle(h -> LocationRepository.history(h, subjectId)), keys.find(subjectId));
  }

  static double[] decrypt(Aead aead, String subjectId, byte[] ct) {
    String[] parts = FieldCipher.decrypt(aead, subjectId, POSITION_FIELD, ct).split(",");
    double[] out = new double[3];
    out[0] = Double.parseDouble(parts[0]);
    out[1] = Double.parseDouble(parts[1]);
    out[2] = parts.length > 2 ? Double.parseDouble(parts[2]) : Double.NaN;
    return out;
  }

  Optional<LocationRepository.Current> current(String subjectId) {
    return db.withHandle(h -> LocationRepository.currentOf(h, subjectId));
  }
}
