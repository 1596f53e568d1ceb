package app.candor.http;

import app.candor.communication.Calls;
import app.candor.communication.Conversation;
import app.candor.communication.Conversations;
import app.candor.communication.MessageInput;
import app.candor.communication.Reports;
import app.candor.core.errors.Validation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Parses communication request bodies into the domain's records, naming each bad field: people are
 * canonical ids, kinds and outcomes from fixed lists, texts within their limits, times ISO-8601.
 */
final class MessageBodies {
  private MessageBodies() {}

  static final Pattern CONVERSATION_ID = Pattern.compile("cv_[0-9a-f]{32}");
  static final Pattern MESSAGE_ID = Pattern.compile("msg_[0-9a-f]{32}");
  static final Pattern MEDIA_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern CLIENT_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
  private static final int MAX_TITLE = 200;
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** {@code POST /v1/conversations}. */
  record NewConversation(String type, List<String> members, Optional<String> title) {}

  static NewConversation conversation(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "type", "members", "title");
    String type = Requests.requiredString(body, "type", v);
    if (!type.isEmpty() && !type.equals(Conversation.DIRECT) && !type.equals(Conversation.GROUP)) {
      v.add("type", "must be direct or group");
    }
    List<String> members = people(body, "members", v);
    if (type.equals(Conversation.DIRECT) && members.size() != 2) {
      v.add("members", "a direct conversation has exactly two members");
    } else if (type.equals(Conversation.GROUP)
        && (members.size() < 2 || members.size() > Conversations.MAX_MEMBERS)) {
      v.add("members", "a group has 2 to " + Conversations.MAX_MEMBERS + " members");
    }
    Optional<String> title = optionalString(body, "title", v);
    if (title.isPresent()) {
      if (type.equals(Conversation.DIRECT)) {
        v.add("title", "only a group has a title");
      } else if (title.get().isBlank() || title.get().length() > MAX_TITLE) {
        v.add("title", "must be 1 to " + MAX_TITLE + " characters");
      }
    }
    v.throwIfInvalid();
    return new NewConversation(type, members, title);
  }

  /** {@code POST /v1/conversations/{cid}/messages}. */
  static MessageInput message(String conversationId, ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "from", "clientMessageId", "kind", "text", "mediaId");
    String from = person(Requests.requiredString(body, "from", v), "from", v);
    String clientId = Requests.requiredString(body, "clientMessageId", v);
    if (body.path("clientMessageId").isTextual() && !CLIENT_ID.matcher(clientId).matches()) {
      v.add("clientMessageId", "must be 1 to 128 visible ASCII characters");
    }
    String kind = Requests.requiredString(body, "kind", v);
    if (!kind.isEmpty() && !MessageInput.KINDS.contains(kind)) {
      v.add("kind", "must be one of text, image, voice, video, file");
    }
    Optional<String> text = optionalString(body, "text", v);
    Optional<String> media = optionalString(body, "mediaId", v);
    if (text.isPresent() && text.get().isBlank()) {
      v.add("text", "must not be empty");
    } else if (text.isPresent() && text.get().length() > MessageInput.MAX_TEXT) {
      v.add("text", "must be at most " + MessageInput.MAX_TEXT + " characters");
    }
    if (kind.equals("text")) {
      if (text.isEmpty() && (body.get("text") == null || body.get("text").isNull())) {
        v.add("text", "is required for a text message");
      }
      if (media.isPresent()) {
        v.add("mediaId", "a text message carries no media");
      }
    } else if (MessageInput.KINDS.contains(kind)) {
      if (media.isEmpty()) {
        v.add("mediaId", "is required for a " + kind + " message");
      } else if (!MEDIA_ID.matcher(media.get()).matches()) {
        v.add("mediaId", "is not a media id");
      }
    }
    v.throwIfInvalid();
    return new MessageInput(conversationId, from, clientId, kind, text, media);
  }

  /** {@code POST /v1/calls}. */
  static Calls.CallInput call(ObjectNode body, Instant now) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "from", "to", "kind", "startedAt", "endedAt", "outcome");
    String from = person(Requests.requiredString(body, "from", v), "from", v);
    List<String> to = people(body, "to", v);
    if (to.size() > Calls.MAX_CALLEES) {
      v.add("to", "at most " + Calls.MAX_CALLEES + " people");
    } else if (!from.isEmpty() && to.contains(from)) {
      v.add("to", "must not contain the caller");
    } else if (body.has("to") && body.get("to").isArray() && to.isEmpty()) {
      v.add("to", "must name at least one person");
    }
    String kind = Requests.requiredString(body, "kind", v);
    if (!kind.isEmpty() && !Calls.KINDS.contains(kind)) {
      v.add("kind", "must be voice or video");
    }
    String outcome = Requests.requiredString(body, "outcome", v);
    if (!outcome.isEmpty() && !Calls.OUTCOMES.contains(outcome)) {
      v.add("outcome", "must be answered, missed or declined");
    }
    Optional<Instant> started = instant(body, "startedAt", true, v);
    Optional<Instant> ended = instant(body, "endedAt", false, v);
    Instant latest = now.plus(CLOCK_SKEW);
    if (started.isPresent() && started.get().isAfter(latest)) {
      v.add("startedAt", "must not be in the future");
    }
    if (ended.isPresent() && ended.get().isAfter(latest)) {
      v.add("endedAt", "must not be in the future");
    }
    if (started.isPresent() && ended.isPresent() && ended.get().isBefore(started.get())) {
      v.add("endedAt", "must not be before startedAt");
    }
    v.throwIfInvalid();
    return new Calls.CallInput(from, to, kind, started.orElseThrow(), ended, outcome);
  }

  /** {@code POST /v1/messages/{mid}/report}. */
  record Report(String by, String reason) {}

  static Report report(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "by", "reason");
    String by = person(Requests.requiredString(body, "by", v), "by", v);
    String reason = Requests.requiredString(body, "reason", v);
    if (!reason.isEmpty() && !Reports.REASONS.contains(reason)) {
      v.add("reason", "must be one of spam, fraud, abuse, other");
    }
    v.throwIfInvalid();
    return new Report(by, reason);
  }

  /** {@code POST /v1/spam/classify}. */
  static String classify(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "text");
    String text = Requests.requiredString(body, "text", v);
    if (body.has("text") && body.get("text").isTextual() && text.isBlank()) {
      v.add("text", "must not be empty");
    } else if (text.length() > MessageInput.MAX_TEXT) {
      v.add("text", "must be at most " + MessageInput.MAX_TEXT + " characters");
    }
    v.throwIfInvalid();
    return text;
  }

  private static List<String> people(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      v.add(field, "is required: an array of user ids");
      return out;
    }
    if (!node.isArray()) {
      v.add(field, "must be an array of user ids, got " + Requests.kind(node));
      return out;
    }
    if (node.size() > Conversations.MAX_MEMBERS) {
      v.add(field, "at most " + Conversations.MAX_MEMBERS + " people");
      return out;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String name = field + "[" + i + "]";
      if (!item.isTextual()) {
        v.add(name, "must be a user id (a string)");
        continue;
      }
      String id = person(item.asText(), name, v);
      if (!id.isEmpty() && !seen.add(id)) {
        v.add(name, "appears twice");
      }
      out.add(id);
    }
    return out;
  }

  /** A canonical user id, or "" with an error naming {@code field}. */
  private static String person(String raw, String field, Validation v) {
    if (raw.isEmpty()) {
      return "";
    }
    String lower = raw.toLowerCase(java.util.Locale.ROOT);
    try {
      if (lower.length() == 36 && UUID.fromString(lower).toString().equals(lower)) {
        return lower;
      }
    } catch (IllegalArgumentException e) {
      // Falls through to the error.
    }
    v.add(field, "must be a user id");
    return "";
  }

  private static Optional<String> optionalString(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      v.add(field, "must be a string, got " + Requests.kind(node));
      return Optional.empty();
    }
    return Optional.of(node.asText());
  }

  private static Optional<Instant> instant(
      ObjectNode body, String field, boolean required, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        v.add(field, "is required: an ISO-8601 instant");
      }
      return Optional.empty();
    }
    if (!node.isTextual()) {
      v.add(field, "must be an ISO-8601 instant, got " + Requests.kind(node));
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(node.asText()));
    } catch (DateTimeParseException e) {
      v.add(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
      return Optional.empty();
    }
  }
}
