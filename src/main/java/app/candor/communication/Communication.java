package app.candor.communication;

import app.candor.core.access.PurposeGate;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import app.candor.privacy.SubjectData;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The communication domain, built once: its services and its privacy provider. */
public final class Communication implements AutoCloseable {
  private final Conversations conversations;
  private final Messages messages;
  private final Reports reports;
  private final Calls calls;
  private final SpamQueue queue;
  private final SpamScreen screen;
  private final CommunicationData data;

  /**
   * @param names the names of people who exist, by id (shown as senders in exports)
   * @param screen judges each message's text for spam
   */
  public Communication(
      Database db,
      SubjectKeys keys,
      Function<Collection<String>, Map<String, String>> names,
      SpamScreen screen,
      BlindIndex index,
      PurposeGate gate,
      Clock clock) {
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(keys, "keys");
    this.screen = Objects.requireNonNull(screen, "screen");
    this.conversations = new Conversations(db, keys, clock);
    Behaviour behaviour = new Behaviour(db, index, keys::createdAt, clock);
    this.messages = new Messages(db, keys, screen, behaviour, gate, clock);
    this.reports = new Reports(db, keys, behaviour, clock);
    this.calls = new Calls(db, clock);
    this.queue = new SpamQueue(db, keys);
    this.data = new CommunicationData(db, keys, names, clock);
  }

  public Conversations conversations() {
    return conversations;
  }

  public Messages messages() {
    return messages;
  }

  public Reports reports() {
    return reports;
  }

  public Calls calls() {
    return calls;
  }

  public SpamQueue queue() {
    return queue;
  }

  /** The text screen on its own ({@code POST /v1/spam/classify}). */
  public SpamScreen screen() {
    return screen;
  }

  public SubjectData data() {
    return data;
  }

  /** Writes the messages still queued, then stops the writer. */
  @Override
  public void close() {
    messages.close();
  }
}
