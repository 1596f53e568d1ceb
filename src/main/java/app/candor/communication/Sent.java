package app.candor.communication;

import app.candor.communication.spam.Verdict;
import java.time.Instant;

/**
 * A stored message as its author's service is answered: with its spam verdict; {@code replayed}
 * when a retry found it stored the first time.
 */
public record Sent(
    String id,
    String conversationId,
    String from,
    Instant at,
    String kind,
    Verdict spam,
    boolean replayed) {}
