package app.candor.usage;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One validated usage event, ready to store: the free-form details (properties and context) are
 * already encrypted with the person's key.
 *
 * @param subjectId the person
 * @param messageId the client's id; a retry with the same id is stored once
 * @param type track, screen, session_start or session_end
 * @param name the feature or screen (the type itself for session events without a name)
 * @param at when it happened, epoch millis
 * @param service the reporting service's name
 * @param detailCiphertext encrypted {@code {properties, context}} (stored as bytes), or null when
 *     both were absent
 */
public record UsageEvent(
    String subjectId,
    String messageId,
    String type,
    String name,
    long at,
    String service,
    byte @Nullable [] detailCiphertext) {

  public static final String TRACK = "track";
  public static final String SCREEN = "screen";
  public static final String SESSION_START = "session_start";
  public static final String SESSION_END = "session_end";

  /** The constant for one of the four types (one string for all events), else {@code type}. */
  public static String canonicalType(String type) {
    return switch (type) {
      case TRACK -> TRACK;
      case SCREEN -> SCREEN;
      case SESSION_START -> SESSION_START;
      case SESSION_END -> SESSION_END;
      default -> type;
    };
  }

  public UsageEvent {
    Objects.requireNonNull(subjectId, "subjectId");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(service, "service");
  }

  /** Track and screen events are uses of a feature; session markers are not. */
  public boolean isFeatureUse() {
    return TRACK.equals(type) || SCREEN.equals(type);
  }

  public long day() {
    return Math.floorDiv(at, 86_400_000L);
  }

  @Override
  public String toString() {
    return "UsageEvent[" + type + ", masked]";
  }
}
