package app.candor.location;

import org.jspecify.annotations.Nullable;

/**
 * A position update as the edge validated it: degrees, an optional accuracy radius in metres, and
 * the time it was taken (epoch milliseconds).
 */
public record Position(double lat, double lon, @Nullable Double accuracyM, long at) {

  /** What is encrypted at the precise level: the position and its accuracy, nothing else. */
  String text() {
    return lat + "," + lon + (accuracyM == null ? "" : "," + accuracyM);
  }
}
