package app.candor.location;

import app.candor.Candor;
import app.candor.core.catalog.Purpose;
import java.util.List;
import java.util.Optional;

/**
 * The benchmark's way in (test sources only, no main-code seam): the people-nearby index on its
 * own, and a bulk loader that stores consents and approximate positions in one transaction, as the
 * server would have after many position updates.
 */
public final class LocationBridge {
  private final NearbyIndex index = new NearbyIndex();

  /** A position update; true when it became the person's current position. */
  public boolean update(String subjectId, double lat, double lon, long at) {
    return index.update(subjectId, lat, lon, at, true) == NearbyIndex.Update.CURRENT;
  }

  /** People nearby the viewer: how many were found (-1 when refused). */
  public int nearby(String viewerId, double radiusKm, int limit) {
    NearbyIndex.Answer a = index.nearby(viewerId, radiusKm, limit, 0);
    return a.refusal().isPresent() ? -1 : a.hits().size();
  }

  public int size() {
    return index.size();
  }

  /**
   * Grants {@code location} (approximate) and {@code nearby_discovery} to each person and stores
   * one position update each, all in one transaction.
   */
  public static void load(Candor candor, List<String> ids, double[] lats, double[] lons, long at) {
    candor
        .database()
        .useTransaction(
            h -> {
              for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                candor
                    .consents()
                    .write(
                        h,
                        id,
                        Purpose.LOCATION,
                        true,
                        Optional.of(LocationService.APPROXIMATE),
                        "bench",
                        at);
                candor
                    .consents()
                    .write(h, id, Purpose.NEARBY_DISCOVERY, true, Optional.empty(), "bench", at);
                int cell = Grid.cell(lats[i], lons[i]);
                LocationRepository.insert(
                    h,
                    id,
                    List.of(
                        new LocationRepository.Point(
                            at, at, LocationService.APPROXIMATE, cell, null, false)));
                LocationRepository.current(h, id, at, cell);
              }
            });
  }
}
