package app.candor.core.catalog;

import static app.candor.core.catalog.Purpose.MESSAGING;
import static app.candor.core.catalog.Purpose.SAFETY;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The communication category's part of the catalog: conversations, messages, reports, calls. */
final class CommunicationFields {
  private CommunicationFields() {}

  static void add(List<FieldSpec> fields) {
    String untilErased = "Until you erase your account";
    fields.add(
        new FieldSpec(
            "communication.conversations",
            Category.COMMUNICATION,
            "The conversations you are in: direct or group, who else is in them, when you joined,"
                + " and a group's title (encrypted with the key of the person it was created for"
                + " first).",
            Set.of(MESSAGING),
            Sensitivity.MEDIUM,
            untilErased + "; then you are taken out of every conversation",
            true,
            Set.of(
                "conversation_members.subject_id",
                "conversation_members.joined_at",
                "conversations.title_ct",
                "conversations.title_owner",
                "conversations.direct_pair")));
    fields.add(
        new FieldSpec(
            "communication.messages",
            Category.COMMUNICATION,
            "The messages you sent: their text, encrypted with your key, their kind (text, image,"
                + " voice, video, file), the media they carry, when, and the retry id the app gave"
                + " each. The other members of the conversation read them.",
            Set.of(MESSAGING, SAFETY),
            Sensitivity.HIGH,
            untilErased
                + "; then your key is destroyed and the text and media removed, and the other"
                + " members see \"deleted: erased account\"",
            true,
            Set.of(
                "messages.sender_id",
                "messages.client_message_id",
                "messages.kind",
                "messages.body_ct",
                "messages.media_id",
                "messages.at")));
    fields.add(
        new FieldSpec(
            "communication.spamVerdicts",
            Category.COMMUNICATION,
            "For spam and fraud defence: the verdict on each message you sent (ham, suspicious or"
                + " spam), its score and the reasons in words (never your text), whether it was"
                + " held back from the other members, a keyed fingerprint of its text that"
                + " tells when you send the same text to many conversations (it cannot be turned"
                + " back into the text), and how many of your messages were reported as spam or"
                + " fraud within the last month.",
            Set.of(SAFETY),
            Sensitivity.MEDIUM,
            untilErased,
            false,
            Set.of(
                "messages.verdict",
                "messages.score",
                "messages.reasons",
                "messages.held",
                "messages.fuzzy",
                "sender_reports.reports",
                "sender_reports.since")));
    fields.add(
        new FieldSpec(
            "communication.reports",
            Category.COMMUNICATION,
            "The messages you reported as spam, fraud or abuse, with the reason you chose and"
                + " when.",
            Set.of(SAFETY),
            Sensitivity.LOW,
            untilErased,
            false,
            Set.of("message_reports.reporter_id", "message_reports.reason", "message_reports.at")));
    fields.add(
        new FieldSpec(
            "communication.calls",
            Category.COMMUNICATION,
            "Your calls: who called whom, voice or video, when they started and ended, and whether"
                + " they were answered, missed or declined. Never what was said.",
            Set.of(MESSAGING),
            Sensitivity.MEDIUM,
            untilErased,
            false,
            Set.of(
                "calls.caller_id",
                "calls.kind",
                "calls.started_at",
                "calls.ended_at",
                "calls.outcome",
                "call_participants.subject_id")));
  }

  static void technical(Map<String, String> technical) {
    technical.put("conversations.id", "random id of a conversation");
    technical.put("messages.id", "random id of a message");
    technical.put("calls.id", "random id of a call");
    technical.put("conversation_members.conversation_id", "the conversation a member is in");
    technical.put("call_participants.call_id", "the call a person was on");
  }
}
