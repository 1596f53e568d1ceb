package app.candor.http;

import app.candor.communication.Calls;
import app.candor.communication.Communication;
import app.candor.communication.Conversation;
import app.candor.communication.Conversations;
import app.candor.communication.Message;
import app.candor.communication.MessageInput;
import app.candor.communication.Messages;
import app.candor.communication.Reports;
import app.candor.communication.Sent;
import app.candor.communication.SpamQueue;
import app.candor.communication.spam.Verdict;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Conversations, messages, calls, members' reports, the spam screen and the operators' spam queue.
 * Every person named in a request passes the purpose gate; reads are logged in the reader's access
 * log (the spam queue's in each author's, under {@code safety}).
 */
public record CommunicationRoutes(
    PurposeGate gate, Communication communication, java.time.Clock clock)
    implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> spam =
        Schemas.object(
            List.of("verdict", "score", "reasons"),
            "verdict",
            Schemas.string("ham | suspicious | spam"),
            "score",
            Schemas.integer("0-100"),
            "reasons",
            Schemas.array(Schemas.any("{code, detail}: never the text itself")));
    Map<String, Object> conversation =
        Schemas.object(
            List.of("id", "type", "members", "createdAt"),
            "id",
            Schemas.string("cv_..."),
            "type",
            Schemas.string("direct | group"),
            "members",
            Schemas.array(Schemas.string("user id")),
            "title",
            Schemas.string("a group's title"),
            "createdAt",
            Schemas.string("ISO-8601 instant"));

    api.post(
        "/v1/conversations",
        Op.of("communication", "Start a direct conversation or a group")
            .callers("service with messaging")
            .request(
                Schemas.any(
                    "{type: direct|group, members: [userId] (2 for direct, 2-"
                        + Conversations.MAX_MEMBERS
                        + " for a group), title? (groups)}"))
            .ok(201, "created (200: the direct conversation of the pair existed)", conversation)
            .error(400, "a bad field (members[i]: no such person)")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging"),
        ctx -> {
          Caller caller = service(requests, ctx);
          MessageBodies.NewConversation body = MessageBodies.conversation(Requests.object(ctx));
          List<Grant> grants = grants(caller, body.members(), Conversations.CONVERSE);
          Conversations.Created created =
              communication.conversations().create(body.type(), body.members(), body.title());
          grants.forEach(gate::changed);
          ctx.status(created.created() ? 201 : 200).json(json(created.conversation()));
        });

    api.post(
        "/v1/conversations/{id}/messages",
        Op.of("communication", "Send a message for a member (stored once per clientMessageId)")
            .callers("service with messaging")
            .request(
                Schemas.any(
                    "{from: userId, clientMessageId, kind: text|image|voice|video|file, text?"
                        + " (required for text, up to "
                        + MessageInput.MAX_TEXT
                        + " characters), mediaId? (required otherwise)}"))
            .ok(
                201,
                "stored and durable, with its spam verdict; a message judged spam is held (its"
                    + " author sees it, the other members do not); a retry answers the first",
                Schemas.object(
                    List.of("id", "conversationId", "from", "at", "kind", "spam"),
                    "id",
                    Schemas.string("msg_..."),
                    "conversationId",
                    Schemas.string("cv_..."),
                    "from",
                    Schemas.string("user id"),
                    "at",
                    Schemas.string("ISO-8601 instant"),
                    "kind",
                    Schemas.string("text | image | voice | video | file"),
                    "spam",
                    spam))
            .error(400, "a bad field (text empty or too long, kind, mediaId)")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such conversation, or the author is not a member")
            .error(503, "the writer is behind; retry after Retry-After seconds (nothing stored)"),
        ctx -> {
          Caller caller = service(requests, ctx);
          MessageInput input = MessageBodies.message(ctx.pathParam("id"), Requests.object(ctx));
          Grant grant = gate.change(caller, input.from(), Messages.SEND);
          conversationId(ctx); // an id Candor never issues is no conversation: 404
          // The request thread is not held while the message commits.
          var stored = communication.messages().sendLater(grant, input);
          ctx.future(() -> stored.thenAccept(sent -> ctx.status(201).json(json(sent))));
        });

    api.get(
        "/v1/conversations/{id}/messages",
        Op.of("communication", "A member's view of a conversation, newest first")
            .callers("service with messaging (for the member userId)", "the member")
            .query("userId", "the member reading (required for a service)")
            .query("limit", "1 to 100; default 50")
            .query("cursor", "nextCursor of the page before")
            .ok(
                200,
                "{messages: [{id, conversationId, from, at, kind, text?, mediaId?, deleted?}],"
                    + " nextCursor}; from is null and deleted says why once the author was erased",
                Schemas.any("the page"))
            .error(400, "a bad limit, cursor or userId")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such conversation, or not a member"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String reader = reader(ctx, caller);
          int limit = Paging.limit(ctx, 50);
          Optional<Long> before = Paging.cursor(ctx);
          Messages.Page page =
              gate.read(
                  caller,
                  reader,
                  Optional.empty(),
                  Messages.READ,
                  g -> communication.messages().list(g, conversationId(ctx), limit, before));
          List<Map<String, Object>> messages = new ArrayList<>();
          page.messages().forEach(m -> messages.add(json(m)));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("messages", messages);
          out.put("nextCursor", page.nextCursor().orElse(null));
          ctx.json(out);
        });

    api.post(
        "/v1/messages/{id}/report",
        Op.of("communication", "A member reports a message as spam, fraud or abuse")
            .callers("service with messaging", "the member")
            .request(Schemas.any("{by: userId, reason: spam|fraud|abuse|other}"))
            .ok(202, "recorded (once per member and message)", Schemas.any("{}"))
            .error(400, "a bad field")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such message, or not a member of its conversation"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String messageId = ctx.pathParam("id");
          if (!MessageBodies.MESSAGE_ID.matcher(messageId).matches()) {
            throw CandorException.notFound("message");
          }
          MessageBodies.Report body = MessageBodies.report(Requests.object(ctx));
          Grant grant = gate.change(caller, body.by(), Reports.REPORT);
          communication.reports().report(messageId, body.by(), body.reason());
          gate.changed(grant);
          ctx.status(202).json(Map.of());
        });

    api.post(
        "/v1/calls",
        Op.of("communication", "Record a call: who, voice or video, when, how it ended")
            .callers("service with messaging")
            .request(
                Schemas.any(
                    "{from: userId, to: [userId], kind: voice|video, startedAt, endedAt?,"
                        + " outcome: answered|missed|declined}"))
            .ok(
                201,
                "recorded",
                Schemas.any("{id, from, to, kind, startedAt, endedAt, outcome, createdAt}"))
            .error(400, "a bad field (to[i]: no such person; endedAt before startedAt)")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such caller"),
        ctx -> {
          Caller caller = service(requests, ctx);
          Calls.CallInput input = MessageBodies.call(Requests.object(ctx), clock.instant());
          Grant grant = gate.change(caller, input.from(), Calls.RECORD);
          Calls.Call call = communication.calls().record(input);
          gate.changed(grant);
          ctx.status(201).json(json(call));
        });

    api.post(
        "/v1/spam/classify",
        Op.of("communication", "Judge a text for spam (nothing is stored)")
            .callers("service with safety")
            .request(Schemas.any("{text}"))
            .ok(200, "the verdict", spam)
            .error(400, "no text, or too long")
            .error(401, "no or bad token")
            .error(403, "not a service key with safety"),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.SAFETY, false, "the spam screen");
          String text = MessageBodies.classify(Requests.object(ctx));
          ctx.json(json(communication.screen().screen(text)));
        });

    api.get(
        "/v1/admin/spam-queue",
        Op.of("communication", "Held and reported messages, newest first")
            .callers("admin")
            .query("limit", "1 to 100; default 50")
            .ok(
                200,
                "{messages: [{messageId, conversationId, from, at, kind, held, spam, reports,"
                    + " text}]}; each text read is a safety read in its author's access log",
                Schemas.any("the queue"))
            .error(400, "a bad limit")
            .error(401, "no or bad token")
            .error(403, "not the admin token"),
        ctx -> {
          requests.requireAdmin(ctx);
          Caller caller = requests.signedIn(ctx);
          List<SpamQueue.Item> items = communication.queue().items(Paging.limit(ctx, 50));
          Map<String, List<String>> byAuthor = new LinkedHashMap<>();
          for (SpamQueue.Item item : items) {
            item.from()
                .ifPresent(
                    a -> byAuthor.computeIfAbsent(a, k -> new ArrayList<>()).add(item.messageId()));
          }
          Map<String, String> texts = new LinkedHashMap<>();
          byAuthor.forEach(
              (author, ids) ->
                  texts.putAll(
                      gate.read(
                          caller,
                          author,
                          Optional.of(Purpose.SAFETY.id()),
                          SpamQueue.CONTENT,
                          g -> communication.queue().texts(g, ids))));
          List<Map<String, Object>> out = new ArrayList<>();
          for (SpamQueue.Item item : items) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("messageId", item.messageId());
            m.put("conversationId", item.conversationId());
            m.put("from", item.from().orElse(null));
            m.put("at", item.at().toString());
            m.put("kind", item.kind());
            m.put("held", item.held());
            m.put("spam", json(item.spam()));
            m.put("reports", item.reports());
            m.put("text", texts.get(item.messageId()));
            out.add(m);
          }
          ctx.json(Map.of("messages", out));
        });
  }

  /** Only services act for others here; a user or an operator is refused as the gate would. */
  private static Caller service(Requests requests, Context ctx) {
    Caller caller = requests.signedIn(ctx);
    if (!(caller instanceof Caller.Service)) {
      throw CandorException.forbidden("this route is for services with messaging");
    }
    return caller;
  }

  private List<Grant> grants(Caller caller, List<String> people, app.candor.core.access.Access a) {
    List<Grant> out = new ArrayList<>(people.size());
    for (int i = 0; i < people.size(); i++) {
      try {
        out.add(gate.change(caller, people.get(i), a));
      } catch (CandorException e) {
        if (e.kind() == CandorException.Kind.NOT_FOUND) {
          throw CandorException.invalid("members[" + i + "]", "no such person");
        }
        throw e;
      }
    }
    return out;
  }

  /** The member reading: the signed-in person, or {@code userId} for a service. */
  private static String reader(Context ctx, Caller caller) {
    if (caller instanceof Caller.User user) {
      return user.subjectId();
    }
    String raw = ctx.queryParam("userId");
    if (raw == null || raw.isBlank()) {
      throw CandorException.invalid("userId", "is required: the member reading");
    }
    String lower = raw.toLowerCase(java.util.Locale.ROOT);
    try {
      if (lower.length() == 36 && java.util.UUID.fromString(lower).toString().equals(lower)) {
        return lower;
      }
    } catch (IllegalArgumentException e) {
      // Falls through.
    }
    throw CandorException.invalid("userId", "must be a user id");
  }

  private static String conversationId(Context ctx) {
    String raw = ctx.pathParam("id");
    if (!MessageBodies.CONVERSATION_ID.matcher(raw).matches()) {
      throw CandorException.notFound("conversation");
    }
    return raw;
  }

  private static Map<String, Object> json(Conversation c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", c.id());
    out.put("type", c.type());
    out.put("members", c.members());
    out.put("title", c.title().orElse(null));
    out.put("createdAt", c.createdAt().toString());
    return out;
  }

  private static Map<String, Object> json(Sent s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.id());
    out.put("conversationId", s.conversationId());
    out.put("from", s.from());
    out.put("at", s.at().toString());
    out.put("kind", s.kind());
    out.put("spam", json(s.spam()));
    return out;
  }

  private static Map<String, Object> json(Message m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", m.id());
    out.put("conversationId", m.conversationId());
    out.put("from", m.from().orElse(null));
    out.put("at", m.at().toString());
    out.put("kind", m.kind());
    m.text().ifPresent(t -> out.put("text", t));
    m.mediaId().ifPresent(id -> out.put("mediaId", id));
    m.deleted().ifPresent(d -> out.put("deleted", d));
    return out;
  }

  private static Map<String, Object> json(Verdict s) {
    List<Map<String, String>> reasons = new ArrayList<>();
    s.reasons().forEach(r -> reasons.add(Map.of("code", r.code(), "detail", r.detail())));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("verdict", s.verdict());
    out.put("score", s.score());
    out.put("reasons", reasons);
    return out;
  }

  private static Map<String, Object> json(Calls.Call call) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", call.id());
    out.put("from", call.call().from());
    out.put("to", call.call().to());
    out.put("kind", call.call().kind());
    out.put("startedAt", call.call().startedAt().toString());
    out.put("endedAt", call.call().endedAt().map(Instant::toString).orElse(null));
    out.put("outcome", call.call().outcome());
    out.put("createdAt", call.createdAt().toString());
    return out;
  }
}
