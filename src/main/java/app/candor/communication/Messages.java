package app.candor.communication;

import app.candor.communication.spam.Verdict;
import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import app.candor.core.store.Ids;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Sends and reads messages. A message is screened for spam and its text encrypted with its author's
 * key on the request thread, then written through the core's group commit: many concurrent messages
 * share one transaction and one sync, and each is answered once durable. Members read the newest
 * first, a page at a time; a message judged spam is held (only its author sees it), and one whose
 * author was erased reads "deleted: erased account".
 */
public final class Messages implements AutoCloseable {

  /** Sending for the author: the author, and services with {@code messaging}. */
  public static final Access SEND =
      Access.forPurpose("messages", Purpose.MESSAGING, "communication.messages");

  /** Reading a conversation as one of its members. */
  public static final Access READ =
      Access.forPurpose(
          "messages", Purpose.MESSAGING, "communication.messages", "communication.conversations");

  static final String BODY_FIELD = "message.text";

  /** One page, newest first; {@code nextCursor} reads on from the oldest of them. */
  public record Page(List<Message> messages, Optional<String> nextCursor) {}

  private final Database db;
  private final SubjectKeys keys;
  private final SpamScreen screen;
  private final Behaviour behaviour;
  private final Clock clock;
  private final GroupCommit<MessageWriter.Pending, MessageWriter.Written> commits;

  Messages(
      Database db,
      SubjectKeys keys,
      SpamScreen screen,
      Behaviour behaviour,
      PurposeGate gate,
      Clock clock) {
    this.db = db;
    this.behaviour = behaviour;
    this.keys = keys;
    this.screen = screen;
    this.clock = clock;
    this.commits = new GroupCommit<>("messages", db, new MessageWriter(db, gate), 1_000, 20_000);
  }

  /**
   * Stores the granted author's message once per retry id, answering once it is durable: 404 when
   * the conversation does not exist or the author is not (or no longer) a member.
   */
  public CompletableFuture<Sent> sendLater(Grant grant, MessageInput input) {
    Objects.requireNonNull(input, "input");
    if (!grant.subjectId().equals(input.from())) {
      throw new IllegalArgumentException("the grant is for another person");
    }
    Aead aead = keys.find(input.from()).orElseThrow(() -> CandorException.notFound("person"));
    if (input.mediaId().isPresent() && !uploadedBy(input.mediaId().get(), input.from())) {
      // Sending a file shows it to the conversation: only its uploader may.
      throw CandorException.invalid("mediaId", "no such media uploaded by the author");
    }
    Behaviour.Signals signals =
        behaviour.signals(input.from(), input.conversationId(), input.text());
    Verdict spam =
        Behaviour.combine(
            input
                .text()
                .map(screen::screen)
                .orElseGet(() -> new Verdict(Verdict.HAM, 0, List.of())),
            signals);
    long now = clock.millis();
    String bodyCt =
        input.text().map(t -> FieldCipher.encrypt(aead, input.from(), BODY_FIELD, t)).orElse(null);
    MessageWriter.Pending pending =
        new MessageWriter.Pending(
            grant,
            input,
            bodyCt,
            spam,
            signals.fuzzy().orElse(null),
            Ids.timeOrdered("msg_", now),
            now);
    return commits
        .submitBounded(pending)
        .thenApply(
            written -> written.sent().orElseThrow(() -> CandorException.notFound("conversation")));
  }

  /**
   * The granted member's page of conversation {@code conversationId}: at most {@code limit}
   * messages older than {@code before} (a cursor from an earlier page), newest first. 404 when the
   * person is not a member.
   */
  public Page list(Grant grant, String conversationId, int limit, Optional<Long> before) {
    String viewer = grant.subjectId();
    List<Row> rows =
        db.withHandle(
            h -> {
              if (!Conversations.isMember(h, conversationId, viewer, false)) {
                throw CandorException.notFound("conversation");
              }
              return h.createQuery(
                      "SELECT id, seq, sender_id, at, kind, body_ct, media_id, held, erased_at"
                          + " FROM messages WHERE conversation_id = :c AND seq < :before"
                          + " AND (held = 0 OR sender_id = :viewer)"
                          + " ORDER BY seq DESC LIMIT :limit")
                  .bind("c", conversationId)
                  .bind("before", before.orElse(Long.MAX_VALUE))
                  .bind("viewer", viewer)
                  .bind("limit", limit + 1)
                  .map(
                      (rs, ctx) ->
                          new Row(
                              rs.getString(1),
                              rs.getLong(2),
                              rs.getString(3),
                              rs.getLong(4),
                              rs.getString(5),
                              rs.getString(6),
                              rs.getString(7),
                              rs.getObject(9) != null))
                  .list();
            });
    grant.revealAll();
    List<Message> out = new ArrayList<>(Math.min(limit, rows.size()));
    for (int i = 0; i < Math.min(limit, rows.size()); i++) {
      out.add(view(conversationId, rows.get(i)));
    }
    Optional<String> next =
        rows.size() > limit
            ? Optional.of(Long.toString(rows.get(limit - 1).seq()))
            : Optional.empty();
    return new Page(out, next);
  }

  /** A stored message row, its text still encrypted with its author's key. */
  record Row(
      String id,
      long seq,
      @org.jspecify.annotations.Nullable String sender,
      long at,
      String kind,
      @org.jspecify.annotations.Nullable String bodyCt,
      @org.jspecify.annotations.Nullable String mediaId,
      boolean erased) {}

  private Message view(String conversationId, Row r) {
    String sender = r.sender();
    Optional<Aead> key = sender == null ? Optional.empty() : keys.find(sender);
    if (r.erased() || sender == null || key.isEmpty()) {
      return new Message(
          r.id(),
          conversationId,
          r.seq(),
          Optional.empty(),
          Instant.ofEpochMilli(r.at()),
          r.kind(),
          Optional.empty(),
          Optional.empty(),
          Optional.of(Message.ERASED));
    }
    String ct = r.bodyCt();
    Optional<String> text =
        ct == null
            ? Optional.empty()
            : Optional.of(FieldCipher.decrypt(key.get(), sender, BODY_FIELD, ct));
    return new Message(
        r.id(),
        conversationId,
        r.seq(),
        Optional.of(sender),
        Instant.ofEpochMilli(r.at()),
        r.kind(),
        text,
        Optional.ofNullable(r.mediaId()),
        Optional.empty());
  }

  private boolean uploadedBy(String mediaId, String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT 1 FROM media WHERE id = :m AND subject_id = :s")
                .bind("m", mediaId)
                .bind("s", subjectId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /**
   * Whether {@code userId} may download file {@code mediaId} as the member of a conversation it was
   * sent in (and not held as spam): decided in the database, so every node agrees.
   */
  public boolean mayDownload(String mediaId, String userId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT 1 FROM messages m JOIN conversation_members c"
                        + " ON c.conversation_id = m.conversation_id AND c.subject_id = :u"
                        + " WHERE m.media_id = :m AND m.held = 0 LIMIT 1")
                .bind("u", userId)
                .bind("m", mediaId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /** Messages waiting to be written (a metric). */
  public int backlog() {
    return commits.backlog();
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() {
    commits.close();
  }
}
