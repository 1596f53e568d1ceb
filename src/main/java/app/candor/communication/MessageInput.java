package app.candor.communication;

import java.util.Optional;
import java.util.Set;

/**
 * A message as the chat service sends it, parsed and checked at the edge: {@code text} is required
 * for a text message and an optional caption otherwise; {@code mediaId} is required for every other
 * kind.
 */
public record MessageInput(
    String conversationId,
    String from,
    String clientMessageId,
    String kind,
    Optional<String> text,
    Optional<String> mediaId) {

  public static final Set<String> KINDS = Set.of("text", "image", "voice", "video", "file");

  /** The longest text a message may carry, in characters. */
  public static final int MAX_TEXT = 10_000;
}
