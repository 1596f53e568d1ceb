package app.candor.location;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A candidate for the places index, for the benchmark only (issue 4, "chosen by measurement"): a
 * grid of lat/lon buckets of {@code cellDeg} degrees, searched ring by ring outward from the
 * query's bucket.
 *
 * <p>Layout: the places are sorted by cell (row-major, row 0 at the south pole, column 0 at the
 * antimeridian) and {@code start[cell]..start[cell + 1]} is the range of a cell's places, a dense
 * offset array over every cell of the globe (empty ones included).
 *
 * <p>Search: ring k is the bounding box, in cells, of the spherical cap of angular radius k cells
 * around the query, minus the box of ring k - 1. The box of a cap of angle d around latitude phi
 * spans latitudes phi +- d and longitudes lambda +- asin(sin d / cos phi) (wider by about 1 /
 * cos(phi) at high latitudes), or every longitude when the cap holds a pole; columns wrap at the
 * antimeridian. After ring k every place within angle k cells has been offered, so the search stops
 * as soon as the current k-th best (or the radius, while fewer than the limit are found) is no
 * farther than that.
 *
 * <p>To compare structures and nothing else, it shares with {@link PlaceIndex} the per-query code:
 * candidates are ranked by squared chord between unit vectors (which orders them exactly as the
 * haversine distance does) in the same bounded heap ({@link PlaceTree.Query}), and the answer
 * carries exact haversine distances ({@link PlaceIndex#distanceM}), sorted by distance then id.
 */
public final class PlaceGridCandidate {
  /** A thousandth of a millimetre of slack on cell edges so rounding never skips a cell. */
  private static final double EDGE_SLACK_DEG = 1e-11;

  private final double cellDeg;
  private final double cellRad;
  private final int rows;
  private final int cols;
  private final int[] start;
  private final Place[] places;
  private final int[] categories;
  private final double[] xyz;
  private final Map<String, Integer> categoryCodes = new HashMap<>();

  /** Builds the grid; {@code cellDeg} must divide 180 (0.05, 0.1, 0.25, 1, ...). */
  public PlaceGridCandidate(List<Place> input, double cellDeg) {
    this.rows = (int) Math.round(180 / cellDeg);
    if (rows < 1 || Math.abs(rows * cellDeg - 180) > 1e-9) {
      throw new IllegalArgumentException("cell size must divide 180 degrees: " + cellDeg);
    }
    this.cols = 2 * rows;
    this.cellDeg = 180.0 / rows;
    this.cellRad = Math.toRadians(this.cellDeg);
    int n = input.size();
    int cells = rows * cols;
    int[] cellOf = new int[n];
    int[] offsets = new int[cells + 1];
    for (int i = 0; i < n; i++) {
      Place p = input.get(i);
      cellOf[i] = row(p.lat()) * cols + Math.floorMod(column(p.lon()), cols);
      offsets[cellOf[i] + 1]++;
    }
    for (int c = 0; c < cells; c++) {
      offsets[c + 1] += offsets[c];
    }
    this.places = new Place[n];
    this.categories = new int[n];
    this.xyz = new double[3 * n];
    for (int i = 0; i < n; i++) {
      Place p = input.get(i);
      int at = offsets[cellOf[i]]++;
      places[at] = p;
      categories[at] = categoryCodes.computeIfAbsent(p.category(), k -> categoryCodes.size());
      PlaceTree.unit(p.lat(), p.lon(), xyz, 3 * at);
    }
    // offsets[c] is now the end of cell c, that is the start of cell c + 1.
    System.arraycopy(offsets, 0, offsets, 1, cells);
    offsets[0] = 0;
    this.start = offsets;
  }

  public int size() {
    return places.length;
  }

  /** As {@link PlaceIndex#nearby}: nearest first, ties by id, within the radius, at most limit. */
  public List<PlaceIndex.Hit> nearby(
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
    double angle = Math.min(Math.PI, radiusM / PlaceIndex.EARTH_RADIUS_M);
    double chord = 2 * Math.sin(angle / 2);
    PlaceTree.Query q =
        new PlaceTree.Query(lat, lon, chord * chord * (1 + 1e-9) + 1e-15, code, limit);
    search(q, lat, lon);
    List<PlaceIndex.Hit> hits = new ArrayList<>(limit);
    for (Place p : q.found()) {
      double d = PlaceIndex.distanceM(lat, lon, p.lat(), p.lon());
      if (d <= radiusM) {
        hits.add(new PlaceIndex.Hit(p, d));
      }
    }
    hits.sort(
        Comparator.comparingDouble(PlaceIndex.Hit::distanceM).thenComparing(h -> h.place().id()));
    return hits;
  }

  private void search(PlaceTree.Query q, double lat, double lon) {
    int r0 = row(lat);
    int c0 = column(lon);
    scanCell(q, r0, Math.floorMod(c0, cols));
    int rlo = r0;
    int rhi = r0;
    int clo = c0;
    int chi = c0;
    double cosLat = Math.cos(Math.toRadians(lat));
    for (int k = 1; ; k++) {
      double d = k * cellRad;
      double dDeg = k * cellDeg + EDGE_SLACK_DEG;
      double latLo = lat - dDeg;
      double latHi = lat + dDeg;
      int nrlo = Math.max(0, row(latLo));
      int nrhi = Math.min(rows - 1, row(latHi));
      int nclo;
      int nchi;
      boolean allColumns = latHi >= 90 || latLo <= -90 || Math.sin(d) >= cosLat;
      if (!allColumns) {
        double dLon = Math.toDegrees(Math.asin(Math.sin(d) / cosLat)) + EDGE_SLACK_DEG;
        nclo = column(lon - dLon);
        nchi = column(lon + dLon);
        allColumns = nchi - nclo + 1 >= cols;
      } else {
        nclo = 0;
        nchi = 0;
      }
      if (allColumns) {
        // Every column: the ones not yet scanned are those after chi, round to clo.
        nclo = clo;
        nchi = clo + cols - 1;
      }
      for (int r = nrlo; r <= nrhi; r++) {
        if (!rowMayHold(q, lat, r)) {
          continue;
        }
        if (r < rlo || r > rhi) {
          scanColumns(q, r, nclo, nchi);
        } else {
          scanColumns(q, r, nclo, clo - 1);
          scanColumns(q, r, chi + 1, nchi);
        }
      }
      rlo = nrlo;
      rhi = nrhi;
      clo = nclo;
      chi = nchi;
      // Everything within angle d has been offered: stop if nothing nearer can come.
      double reached = 2 * Math.sin(Math.min(Math.PI, d) / 2);
      if (d >= Math.PI || q.bound() <= reached * reached) {
        return;
      }
    }
  }

  /** False when the whole row is farther than the current bound (by its latitude alone). */
  private boolean rowMayHold(PlaceTree.Query q, double lat, int r) {
    double south = -90 + r * cellDeg;
    double north = south + cellDeg;
    double gapDeg = lat < south ? south - lat : lat > north ? lat - north : 0;
    if (gapDeg <= EDGE_SLACK_DEG) {
      return true;
    }
    double c = 2 * Math.sin(Math.toRadians(gapDeg - EDGE_SLACK_DEG) / 2);
    return c * c <= q.bound();
  }

  private void scanColumns(PlaceTree.Query q, int r, int from, int to) {
    for (int c = from; c <= to; c++) {
      scanCell(q, r, Math.floorMod(c, cols));
    }
  }

  private void scanCell(PlaceTree.Query q, int r, int c) {
    int cell = r * cols + c;
    int to = start[cell + 1];
    double[] v = q.v;
    for (int i = start[cell]; i < to; i++) {
      if (q.category >= 0 && categories[i] != q.category) {
        continue;
      }
      double dx = v[0] - xyz[3 * i];
      double dy = v[1] - xyz[3 * i + 1];
      double dz = v[2] - xyz[3 * i + 2];
      double d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= q.bound()) {
        q.add(d2, places[i]);
      }
    }
  }

  /** The row of a latitude, clamped to the grid. */
  private int row(double lat) {
    int r = (int) Math.floor((lat + 90) / cellDeg);
    return r < 0 ? 0 : Math.min(r, rows - 1);
  }

  /** The column of a longitude, not wrapped (may be below 0 or at or above cols). */
  private int column(double lon) {
    return (int) Math.floor((lon + 180) / cellDeg);
  }
}
