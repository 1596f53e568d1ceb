package app.candor.personal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The demo's {@link CodeSender} ({@code ./candor demo} and the tests): keeps the last messages in
 * memory only (never on disk), for operators to read at {@code GET /v1/admin/outbox}, which exists
 * only when Candor runs with this sender. Erasure removes a person's messages. Never used by {@code
 * serve}: there, nobody but the recipient may read a code.
 */
public final class OutboxSender implements CodeSender {

  /** One message as it would have been delivered. */
  public record Message(String channel, String to, String body, Instant sentAt) {
    @Override
    public String toString() {
      return "Message[" + channel + ", masked]";
    }
  }

  private static final int CAPACITY = 1_000;

  private record Kept(String subjectId, Message message) {}

  private final Deque<Kept> messages = new ArrayDeque<>();
  private final Clock clock;

  public OutboxSender(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized void send(String subjectId, String channel, String address, String code) {
    if (messages.size() >= CAPACITY) {
      messages.removeFirst();
    }
    messages.addLast(
        new Kept(subjectId, new Message(channel, address, CodeSender.text(code), clock.instant())));
  }

  @Override
  public synchronized void forget(String subjectId) {
    messages.removeIf(m -> m.subjectId().equals(subjectId));
  }

  /** Newest first. */
  public synchronized List<Message> messages() {
    List<Message> out = new java.util.ArrayList<>(messages.stream().map(Kept::message).toList());
    java.util.Collections.reverse(out);
    return out;
  }
}
