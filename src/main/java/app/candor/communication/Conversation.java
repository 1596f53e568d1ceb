package app.candor.communication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A conversation: direct (two people) or a group, its members and a group's title. */
public record Conversation(
    String id, String type, List<String> members, Optional<String> title, Instant createdAt) {

  public Conversation {
    members = List.copyOf(members);
  }

  public static final String DIRECT = "direct";
  public static final String GROUP = "group";
}
