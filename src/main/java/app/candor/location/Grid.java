package app.candor.location;

import java.util.List;

/**
 * The grid of cells of about 1 km that positions are snapped to before anyone else sees anything of
 * them. Rows are 1 km of latitude high; each row is cut into as many columns as fit 1 km wide at
 * its centre latitude (so cells stay about 1 km square from the equator to the poles, and are never
 * narrower than 1 km). A cell is an {@code int}: row in the high 16 bits, column in the low 16.
 *
 * <p>People nearby see only bands of the distance between the centres of the two cells, so what
 * they learn about a person is a function of that person's cell: moving within a cell changes
 * nothing anyone can observe.
 */
public final class Grid {
  /** Mean Earth radius (IUGG), as for every distance here. */
  public static final double EARTH_RADIUS_KM = 6371.0088;

  static final double KM_PER_DEGREE = Math.PI * EARTH_RADIUS_KM / 180;
  static final double CELL_KM = 1.0;
  static final double ROW_DEGREES = CELL_KM / KM_PER_DEGREE;
  static final int ROWS = (int) Math.ceil(180 / ROW_DEGREES);

  /** Upper edges of the distance bands, in metres; the last band is open. */
  private static final int[] BAND_EDGES_M = {1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000};

  private static final List<String> BAND_LABELS =
      List.of(
          "under 1 km",
          "1-2 km",
          "2-5 km",
          "5-10 km",
          "10-20 km",
          "20-50 km",
          "50-100 km",
          "over 100 km");

  private static final double[] ROW_LAT = new double[ROWS];
  private static final int[] COLUMNS = new int[ROWS];
  private static final double[] COLUMN_DEGREES = new double[ROWS];

  static {
    for (int r = 0; r < ROWS; r++) {
      double lat = Math.min(90, -90 + (r + 0.5) * ROW_DEGREES);
      ROW_LAT[r] = lat;
      double circumferenceKm = 360 * KM_PER_DEGREE * Math.cos(Math.toRadians(lat));
      COLUMNS[r] = Math.max(1, (int) Math.floor(circumferenceKm / CELL_KM));
      COLUMN_DEGREES[r] = 360.0 / COLUMNS[r];
    }
  }

  private Grid() {}

  /** The cell holding a position (latitude in [-90, 90], longitude in [-180, 180]). */
  public static int cell(double lat, double lon) {
    int row = (int) ((lat + 90) / ROW_DEGREES);
    if (row >= ROWS) {
      row = ROWS - 1;
    } else if (row < 0) {
      row = 0;
    }
    return row << 16 | column(row, lon);
  }

  private static int column(int row, double lon) {
    int n = COLUMNS[row];
    int c = (int) ((lon + 180) / COLUMN_DEGREES[row]);
    return c >= n ? n - 1 : Math.max(c, 0);
  }

  static int row(int cell) {
    return cell >>> 16;
  }

  static int column(int cell) {
    return cell & 0xFFFF;
  }

  public static double centreLat(int cell) {
    return ROW_LAT[row(cell)];
  }

  public static double centreLon(int cell) {
    int row = row(cell);
    return -180 + (column(cell) + 0.5) * COLUMN_DEGREES[row];
  }

  /** Great-circle distance in kilometres (haversine). */
  public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dp = p2 - p1;
    double dl = Math.toRadians(lon2 - lon1);
    double h =
        Math.sin(dp / 2) * Math.sin(dp / 2)
            + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /** The distance between the centres of two cells, in whole metres. */
  static long centreDistanceM(int a, int b) {
    return Math.round(1000 * distanceKm(centreLat(a), centreLon(a), centreLat(b), centreLon(b)));
  }

  /** The band (0 = under 1 km) of a distance in whole metres. */
  static int band(long metres) {
    for (int i = 0; i < BAND_EDGES_M.length; i++) {
      if (metres < BAND_EDGES_M[i]) {
        return i;
      }
    }
    return BAND_EDGES_M.length;
  }

  public static String bandLabel(int band) {
    return BAND_LABELS.get(band);
  }

  static int bands() {
    return BAND_LABELS.size();
  }

  /**
   * Calls {@code visitor} with every cell whose centre lies within {@code radiusKm} of the centre
   * of {@code from}, and the band of that centre distance. Covers the rows within reach and, in
   * each, the columns within reach of the longitude (wrapping at the antimeridian).
   */
  static void cellsWithin(int from, double radiusKm, CellVisitor visitor) {
    int row = row(from);
    double lat = centreLat(from);
    double lon = centreLon(from);
    long radiusM = Math.round(radiusKm * 1000);
    int reach = (int) Math.ceil(radiusKm / CELL_KM) + 1;
    // Within reach of a pole, what lies beyond it is on the other side of the globe, at any
    // longitude: every row within reach is swept whole (rows there are short).
    boolean northPole = (90 - lat) * KM_PER_DEGREE <= radiusKm + 2 * CELL_KM;
    boolean southPole = (lat + 90) * KM_PER_DEGREE <= radiusKm + 2 * CELL_KM;
    for (int r = Math.max(0, row - reach); r <= Math.min(ROWS - 1, row + reach); r++) {
      int n = COLUMNS[r];
      double cos = Math.cos(Math.toRadians(ROW_LAT[r]));
      double spanDegrees = cos < 1e-9 ? 360 : radiusKm / (KM_PER_DEGREE * cos);
      int span = (int) Math.ceil(spanDegrees / COLUMN_DEGREES[r]) + 1;
      if (northPole || southPole || 2 * span + 1 >= n) {
        for (int c = 0; c < n; c++) {
          visit(from, r << 16 | c, radiusM, visitor);
        }
      } else {
        int centre = column(r, lon);
        for (int k = -span; k <= span; k++) {
          int c = Math.floorMod(centre + k, n);
          visit(from, r << 16 | c, radiusM, visitor);
        }
      }
    }
  }

  private static void visit(int from, int cell, long radiusM, CellVisitor visitor) {
    long d = centreDistanceM(from, cell);
    if (d <= radiusM) {
      visitor.visit(cell, band(d));
    }
  }

  @FunctionalInterface
  interface CellVisitor {
    void visit(int cell, int band);
  }
}
