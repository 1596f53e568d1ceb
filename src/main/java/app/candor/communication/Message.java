package app.candor.communication;

import java.time.Instant;
import java.util.Optional;

/**
 * A message as a member reads it. {@code from} is empty and {@code deleted} says why once its
 * author was erased; their text and media are gone then.
 */
public record Message(
    String id,
    String conversationId,
    long seq,
    Optional<String> from,
    Instant at,
    String kind,
    Optional<String> text,
    Optional<String> mediaId,
    Optional<String> deleted) {

  public static final String ERASED = "deleted: erased account";
}
