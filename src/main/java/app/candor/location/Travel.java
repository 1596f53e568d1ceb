package app.candor.location;

/** What counts as travel: how far a person can have gone between two position updates. */
final class Travel {

  /** Faster than an airliner (about 900 km/h cruising) is not travel. */
  static final double MAX_KMH = 1_000;

  /**
   * Jumps up to this far are never flagged: GPS noise, positions rebuilt as cell centres, and any
   * move within one cell (its diagonal is under 1.6 km at every latitude).
   */
  static final double SLACK_KM = 2.5;

  private Travel() {}

  /** Whether going from the first position to the second in the time between is not travel. */
  static boolean impossible(double lat0, double lon0, long at0, double lat, double lon, long at) {
    double km = Grid.distanceKm(lat0, lon0, lat, lon);
    return km > SLACK_KM && km > MAX_KMH * (at - at0) / 3_600_000.0;
  }
}
