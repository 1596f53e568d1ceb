package app.candor.bench;

import java.util.Random;

/**
 * The super app's features as usage events name them, with the event type and the reporting
 * service, and a Zipf popularity (s = 1.1): a few features get most of the use.
 */
final class Features {
  static final String[] NAMES = {
    "chat.send",
    "chat.open",
    "moments.view",
    "pay.qr",
    "mini.open",
    "search",
    "channels.watch",
    "stickers.send",
    "voice.call",
    "video.call",
    "pay.transfer",
    "red_packet.send",
    "scan",
    "wallet.view",
    "nearby.open",
    "news.read",
    "location.share",
    "taxi.order",
    "food.order",
    "games.play",
    "contacts.add",
    "favorites",
    "profile.edit",
    "settings"
  };

  private static final double[] CUMULATIVE = new double[NAMES.length];

  static {
    double sum = 0;
    for (int i = 0; i < NAMES.length; i++) {
      sum += 1.0 / Math.pow(i + 1, 1.1);
      CUMULATIVE[i] = sum;
    }
    for (int i = 0; i < NAMES.length; i++) {
      CUMULATIVE[i] /= sum;
    }
  }

  private Features() {}

  /** A feature index drawn by popularity. */
  static int pick(Random random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = NAMES.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (CUMULATIVE[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Screens are viewed; everything else is an action. */
  static String type(int feature) {
    String n = NAMES[feature];
    return n.endsWith(".view")
            || n.endsWith(".open")
            || n.endsWith(".watch")
            || n.endsWith(".read")
            || n.equals("favorites")
            || n.equals("settings")
        ? "screen"
        : "track";
  }

  /** The service that reports the feature: the part before the dot. */
  static String service(int feature) {
    String n = NAMES[feature];
    int dot = n.indexOf('.');
    return dot < 0 ? "app" : n.substring(0, dot);
  }
}
