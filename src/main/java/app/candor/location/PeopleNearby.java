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
 *
 * <p>Friends nearby ({@link #friends}) follows the same rules, sharing the limits (so alternating
 * the two questions gains a prober nothing), among the viewer's friends: people who have each
 * other's phone or email in their contact lists. Someone visible to friends only ({@code
 * nearby_discovery} at level friends) is in no bucket of the index and is never passed by the gate
 * to a stranger's answer, so only their friends ever see them.
 */
public final class PeopleNearby {

  /** People nearby: the viewer, and services with {@code nearby_discovery} asking for them. */
  public static final Access NEARBY =
      Access.forPurpose("people nearby", Purpose.NEARBY_DISCOVERY, "location.current");

  /**
   * Friends nearby: the viewer, and services with {@code nearby_discovery}; the viewer's contact
   * list is read to find their friends.
   */
  public static final Access FRIENDS =
      Access.forPurpose(
          "friends nearby", Purpose.NEARBY_DISCOVERY, "location.current", "communication.contacts");

  /** The level at which strangers see a person nearby. */
  private static final Set<String> TO_EVERYONE = Set.of(LocationConsents.EVERYONE);

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
  private final Function<String, Set<String>> mutualContacts;
  private final RateLimiter perViewer;
  private final Map<String, Named> nameCache = new ConcurrentHashMap<>();
  private final Map<String, Probes> probes = new ConcurrentHashMap<>();

  PeopleNearby(
      NearbyIndex index,
      LocationConsents consents,
      Config.Location settings,
      Clock clock,
      Function<Collection<String>, Map<String, String>> names,
      PurposeGate gate,
      Function<String, Set<String>> mutualContacts) {
    this.index = index;
    this.consents = consents;
    this.settings = settings;
    this.clock = clock;
    this.names = names;
    this.gate = gate;
    this.mutualContacts = mutualContacts;
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
          "people nearby is for people who are visible to them: grant 'nearby_discovery' (level"
              + " everyone) first");
    }
    long now = clock.millis();
    limitRate(viewerId);
    NearbyIndex.Answer answer = index.nearby(viewerId, radiusKm, limit, since(now));
    // Through the gate: only people holding nearby_discovery at level everyone now (on any node)
    // are shown, and each is counted into their access log's entry of the day.
    return shown(viewer, answer, TO_EVERYONE, now);
  }

  /**
   * The viewer's friends nearby: those who have the viewer in their contact list while the viewer
   * has them in theirs, visible to friends or to everyone, with a recent plausible position, as
   * bands, by band and in the viewer's stable shuffle within a band. The viewer must be visible to
   * friends at least. The same limits as {@link #nearby}, counted together with it.
   */
  public List<Neighbour> friends(Grant viewer, double radiusKm, int limit) {
    String viewerId = viewer.subjectId();
    viewer.reveal("location.current");
    viewer.reveal("communication.contacts");
    if (!consents.of(viewerId).toFriends()) {
      throw CandorException.forbidden(
          "friends nearby is for people who are visible to their friends: grant"
              + " 'nearby_discovery' first");
    }
    long now = clock.millis();
    limitRate(viewerId);
    Set<String> friends = mutualContacts.apply(viewerId);
    NearbyIndex.Answer answer = index.friends(viewerId, friends, radiusKm, limit, since(now));
    // Friends see each other at either level; the gate passes those holding the consent now.
    return shown(viewer, answer, Set.of(), now);
  }

  private long since(long now) {
    return now - Duration.ofMinutes(settings.recentMinutes()).toMillis();
  }

  private void limitRate(String viewerId) {
    if (!perViewer.tryAcquire(viewerId)) {
      throw CandorException.tooManyRequests(
          "at most "
              + settings.nearbyPerMinute()
              + " people-nearby queries a minute; retry in "
              + perViewer.retryAfterSeconds(viewerId)
              + " s");
    }
  }

  /**
   * The answer's people as the viewer may see them: a refusal becomes its error, the viewer's cell
   * counts towards probing, and the people are named through the gate (only those holding {@code
   * nearby_discovery} at one of {@code levels}, any when empty, each counted as shown).
   */
  private List<Neighbour> shown(
      Grant viewer, NearbyIndex.Answer answer, Set<String> levels, long now) {
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
    checkProbing(viewer.subjectId(), answer.viewerCell(), now);
    List<String> hitIds = new ArrayList<>(answer.hits().size());
    answer.hits().forEach(h -> hitIds.add(h.subjectId()));
    Map<String, String> shown =
        gate.readShown(
            viewer,
            hitIds,
            Purpose.NEARBY_DISCOVERY,
            levels,
            SHOWN_FIELDS,
            allowed -> names(allowed, now));
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
