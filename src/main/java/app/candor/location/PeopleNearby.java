package app.candor.location;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.RateLimiter;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.core.errors.CandorException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * People nearby: the people visible to people nearby around the viewer's current position, as bands
 * of the distance between grid-cell centres, with rate limits per viewer and a refusal for viewers
 * who ask from many places (how people are trilaterated). Never coordinates.
 */
public final class PeopleNearby {

  /** People nearby: the viewer, and services with {@code nearby_discovery} asking for them. */
  public static final Access NEARBY =
      Access.forPurpose("people nearby", Purpose.NEARBY_DISCOVERY, "location.current");

  /** The largest radius people nearby may be asked for, in km. */
  public static final int MAX_RADIUS_KM = 50;

  public static final int MAX_LIMIT = 100;

  /** Distinct cells one viewer may ask from in {@link #PROBE_WINDOW} before being refused. */
  static final int MAX_QUERY_CELLS = 12;

  static final Duration PROBE_WINDOW = Duration.ofHours(1);

  /** What people nearby reveals of each person shown: their name and the band of their cell. */
  private static final List<String> SHOWN_FIELDS = List.of("personal.name", "location.current");

  /** One person nearby: who, their name, and the band of the distance. */
  public record Neighbour(String userId, String name, String distance) {}

  private record Named(String name, long at) {}

  /** The cells a viewer asked from lately. */
  private static final class Probes {
    final LinkedHashMap<Integer, Long> cells = new LinkedHashMap<>();
  }

  private final NearbyIndex index;
  private final LocationConsents consents;
  private final Config.Location settings;
  private final Clock clock;
  private final Function<Collection<String>, Map<String, String>> names;
  private final PurposeGate gate;
  private final RateLimiter perViewer;
  private final Map<String, Named> nameCache = new ConcurrentHashMap<>();
  private final Map<String, Probes> probes = new ConcurrentHashMap<>();

  PeopleNearby(
      NearbyIndex index,
      LocationConsents consents,
      Config.Location settings,
      Clock clock,
      Function<Collection<String>, Map<String, String>> names,
      PurposeGate gate) {
    this.index = index;
    this.consents = consents;
    this.settings = settings;
    this.clock = clock;
    this.names = names;
    this.gate = gate;
    this.perViewer = new RateLimiter(settings.nearbyPerMinute(), Duration.ofMinutes(1), clock);
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
    if (!consents.of(viewerId).visible()) {
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
  private Map<String, String> names(Set<String> subjectIds, long now) {
    Map<String, String> out = new HashMap<>();
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

  /** Forgets what is kept in memory about an erased person. */
  void forget(String subjectId) {
    nameCache.remove(subjectId);
    probes.remove(subjectId);
  }
}
