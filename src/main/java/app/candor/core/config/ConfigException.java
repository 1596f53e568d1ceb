package app.candor.core.config;

import java.util.List;

/** Configuration that cannot work; the message lists what to change. */
public final class ConfigException extends RuntimeException {
  public ConfigException(List<String> problems) {
    super("Candor cannot start:\n  - " + String.join("\n  - ", problems));
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }
}
