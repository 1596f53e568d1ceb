package app.candor.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Ordered JSON objects for responses, null values allowed. */
final class Maps {
  private Maps() {}

  static Map<String, Object> of(Object... pairs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], pairs[i + 1]);
    }
    return out;
  }
}
