package app.candor.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Builds {@code POST /v1/events} bodies of realistic events, cheaply (string templates, no JSON
 * library). Each person's events form sessions, in order, as an app's SDK sends them:
 * session_start, a few to a few dozen track and screen events of popular features (with a few
 * properties), session_end; each event carries the person's device context. Timestamps are close to
 * now and increase per person. A client owns a fixed share of the people (so one person's events
 * are never in flight in two requests at once); the per-person state lives in a shared {@link
 * Population} so that runs with a different number of clients continue everyone's sessions.
 * Optionally a share of feature events arrive late (a device flushing its offline queue): dated up
 * to two minutes before the person's latest event.
 */
final class BatchGen {
  private static final String[] DEVICES = {
    "Pixel 8", "iPhone 15", "Galaxy S24", "iPhone 13", "Redmi Note 13", "Galaxy A54", "iPhone SE"
  };
  private static final String[] OS = {"Android 15", "iOS 18.1", "Android 14", "iOS 17.6"};
  private static final String[] VERSIONS = {"8.0.51", "8.0.50", "8.0.49", "7.9.12"};
  private static final String[] LOCALES = {"en-US", "zh-CN", "de-DE", "pt-BR", "es-MX", "id-ID"};
  private static final String[] SOURCES = {"home", "push", "search", "chat", "deeplink"};

  /** Everyone's session state; each person is touched by one client at a time. */
  static final class Population {
    final List<String> ids;
    final String[] contexts;
    final long[] lastAt;
    final int[] left; // feature events left in the open session; -1: no session open
    final int latePercent;

    Population(List<String> ids, int latePercent) {
      this.ids = ids;
      this.latePercent = latePercent;
      this.contexts = new String[ids.size()];
      this.lastAt = new long[ids.size()];
      this.left = new int[ids.size()];
      java.util.Arrays.fill(left, -1);
      Random r = new Random(42);
      for (int i = 0; i < contexts.length; i++) {
        contexts[i] =
            "{\"device\":\""
                + DEVICES[r.nextInt(DEVICES.length)]
                + "\",\"os\":\""
                + OS[r.nextInt(OS.length)]
                + "\",\"appVersion\":\""
                + VERSIONS[r.nextInt(VERSIONS.length)]
                + "\",\"locale\":\""
                + LOCALES[r.nextInt(LOCALES.length)]
                + "\"}";
      }
    }
  }

  private final Population pop;
  private final int[] mine;
  private final Random random;

  /** The generator of client {@code client} of {@code clients}. */
  BatchGen(Population pop, int client, int clients, long seed) {
    this.pop = pop;
    this.random = new Random(seed);
    int n = pop.ids.size();
    this.mine = new int[(n - client + clients - 1) / clients];
    for (int i = 0, p = client; p < n; p += clients, i++) {
      mine[i] = p;
    }
  }

  /** A body of {@code n} events, happening around {@code now}. */
  byte[] batch(int n, long now) {
    StringBuilder sb = new StringBuilder(n * 380);
    sb.append("{\"batch\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      int p = mine[random.nextInt(mine.length)];
      String type;
      int feature = -1;
      // A person's events are 1-100 ms apart (a burst of taps), so that at 100,000 events/s over
      // 5,000 people (20 a second each) a person's clock never runs ahead of the real one, where
      // the API would reject the events as from the future.
      long at = Math.max(now - random.nextInt(5_000), pop.lastAt[p] + 1 + random.nextInt(100));
      if (pop.left[p] < 0) {
        type = "session_start";
        pop.left[p] = geometric(12);
      } else if (pop.left[p] == 0) {
        type = "session_end";
        pop.left[p] = -1;
      } else {
        feature = Features.pick(random);
        type = Features.type(feature);
        pop.left[p]--;
        if (pop.latePercent > 0 && random.nextInt(100) < pop.latePercent) {
          at = pop.lastAt[p] - 1_000 - random.nextInt(120_000);
        }
      }
      pop.lastAt[p] = Math.max(pop.lastAt[p], at);
      sb.append("{\"messageId\":\"")
          .append(new UUID(random.nextLong(), random.nextLong()))
          .append("\",\"userId\":\"")
          .append(pop.ids.get(p))
          .append("\",\"type\":\"")
          .append(type)
          .append("\",\"timestamp\":\"")
          .append(Instant.ofEpochMilli(at))
          .append('"');
      if (feature >= 0) {
        sb.append(",\"name\":\"")
            .append(Features.NAMES[feature])
            .append("\",\"properties\":{\"source\":\"")
            .append(SOURCES[random.nextInt(SOURCES.length)])
            .append("\",\"position\":")
            .append(random.nextInt(20))
            .append(",\"durationMs\":")
            .append(200 + random.nextInt(30_000))
            .append('}');
      }
      sb.append(",\"context\":").append(pop.contexts[p]).append('}');
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** At least 1, mean {@code mean}. */
  private int geometric(double mean) {
    double q = 1.0 / mean;
    return 1 + (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - q));
  }
}
