package app.candor.location;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory nearby index: derived state, rebuilt from the database at start and extended on
 * every import.
 *
 * <p>The places sit in a few immutable {@link PlaceTree}s of decreasing size, like the levels of a
 * log-structured merge tree: an import builds a tree of its own places, then merges it with the
 * smaller trees before it until each tree is more than twice the size of the next. So there are
 * never more than about log2(n) trees and each place is rebuilt into a bigger tree O(log n) times.
 * Queries read the current list of trees through one volatile field and never wait for an import;
 * imports take turns. BENCHMARKS.md ("Places nearby") has the measurements behind the choice.
 */
public final class PlaceIndex {
  /** The mean Earth radius (IUGG), in metres. */
  public static final double EARTH_RADIUS_M = 6_371_008.8;

  private final Map<String, Integer> categoryCodes = new ConcurrentHashMap<>();
  private volatile List<PlaceTree> levels = List.of();

  /** A place found nearby and its great-circle distance from the query point. */
  public record Hit(Place place, double distanceM) {}

  /** Adds places; queries see all of them or none of them. */
  public synchronized void addAll(Collection<Place> places) {
    if (places.isEmpty()) {
      return;
    }
    List<Place> pending = new ArrayList<>(places);
    List<PlaceTree> next = new ArrayList<>(levels);
    while (!next.isEmpty() && next.get(next.size() - 1).size() <= 2 * pending.size()) {
      pending.addAll(next.remove(next.size() - 1).places());
    }
    next.add(tree(pending));
    levels = List.copyOf(next);
  }

  public int size() {
    return levels.stream().mapToInt(PlaceTree::size).sum();
  }

  /** How many trees the places are in (for tests and the benchmark). */
  int levels() {
    return levels.size();
  }

  /**
   * The places within {@code radiusM} metres of ({@code lat}, {@code lon}), of {@code category} if
   * given, nearest first, at most {@code limit}; ties by id.
   */
  public List<Hit> nearby(
      double lat, double lon, double radiusM, Optional<String> category, int limit) {
    if (limit < 1 || !(radiusM >= 0)) {
      throw new IllegalArgumentException("limit must be positive and radius not negative");
    }
    int code = -1;
    if (category.isPresent()) {
      Integer known = categoryCodes.get(category.get());
      if (known == null) {
        return List.of();
      }
      code = known;
    }
    double angle = Math.min(Math.PI, radiusM / EARTH_RADIUS_M);
    double chord = 2 * Math.sin(angle / 2);
    // A hair of slack so rounding never drops a place on the boundary; the exact distance decides.
    PlaceTree.Query query =
        new PlaceTree.Query(lat, lon, chord * chord * (1 + 1e-9) + 1e-15, code, limit);
    for (PlaceTree tree : levels) {
      tree.search(query);
    }
    List<Hit> hits = new ArrayList<>(limit);
    for (Place p : query.found()) {
      double d = distanceM(lat, lon, p.lat(), p.lon());
      if (d <= radiusM) {
        hits.add(new Hit(p, d));
      }
    }
    hits.sort(Comparator.comparingDouble(Hit::distanceM).thenComparing(h -> h.place().id()));
    return hits;
  }

  /** The great-circle distance in metres (haversine, mean Earth radius). */
  public static double distanceM(double lat1, double lon1, double lat2, double lon2) {
    double phi1 = Math.toRadians(lat1);
    double phi2 = Math.toRadians(lat2);
    double sinDphi = Math.sin((phi2 - phi1) / 2);
    double sinDlambda = Math.sin(Math.toRadians(lon2 - lon1) / 2);
    double a = sinDphi * sinDphi + Math.cos(phi1) * Math.cos(phi2) * sinDlambda * sinDlambda;
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  private PlaceTree tree(List<Place> places) {
    int[] codes = new int[places.size()];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = categoryCodes.computeIfAbsent(places.get(i).category(), c -> categoryCodes.size());
    }
    return new PlaceTree(places, codes);
  }
}
