package app.candor.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Builds {@code POST /v1/events} bodies of realistic events, cheaply (string templates, no JSON
 * library): mostly track and screen events of popular features with a few properties, some session
 * markers, and the person's device context. Each client has its own generator.
 */
final class BatchGen {
  private static final String[] DEVICES = {
    "Pixel 8", "iPhone 15", "Galaxy S24", "iPhone 13", "Redmi Note 13", "Galaxy A54", "iPhone SE"
  };
  private static final String[] OS = {"Android 15", "iOS 18.1", "Android 14", "iOS 17.6"};
  private static final String[] VERSIONS = {"8.0.51", "8.0.50", "8.0.49", "7.9.12"};
  private static final String[] LOCALES = {"en-US", "zh-CN", "de-DE", "pt-BR", "es-MX", "id-ID"};
  private static final String[] SOURCES = {"home", "push", "search", "chat", "deeplink"};

  private final List<String> people;
  private final String[] contexts;
  private final Random random;

  BatchGen(List<String> people, long seed) {
    this.people = people;
    this.random = new Random(seed);
    this.contexts = new String[people.size()];
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

  /** A body of {@code n} events that happened within the two minutes before {@code now}. */
  byte[] batch(int n, long now) {
    StringBuilder sb = new StringBuilder(n * 380);
    sb.append("{\"batch\":[");
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      int person = random.nextInt(people.size());
      sb.append("{\"messageId\":\"")
          .append(new UUID(random.nextLong(), random.nextLong()))
          .append("\",\"userId\":\"")
          .append(people.get(person))
          .append("\",\"timestamp\":\"")
          .append(Instant.ofEpochMilli(now - random.nextInt(120_000)))
          .append('"');
      int roll = random.nextInt(100);
      if (roll < 4) {
        sb.append(",\"type\":\"session_start\"");
      } else if (roll < 8) {
        sb.append(",\"type\":\"session_end\"");
      } else {
        int f = Features.pick(random);
        sb.append(",\"type\":\"")
            .append(Features.type(f))
            .append("\",\"name\":\"")
            .append(Features.NAMES[f])
            .append("\",\"properties\":{\"source\":\"")
            .append(SOURCES[random.nextInt(SOURCES.length)])
            .append("\",\"position\":")
            .append(random.nextInt(20))
            .append(",\"durationMs\":")
            .append(200 + random.nextInt(30_000))
            .append('}');
      }
      sb.append(",\"context\":").append(contexts[person]).append('}');
    }
    sb.append("]}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
