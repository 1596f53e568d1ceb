package app.candor.communication;

import app.candor.communication.spam.Reason;
import app.candor.communication.spam.Verdict;
import app.candor.core.crypto.BlindIndex;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * What a sender does, on top of what their text says: the same or nearly the same text sent to many
 * conversations (a keyed fingerprint of the text with digits, links and punctuation taken out, as
 * Rspamd's fuzzy hashes), a burst far above the sender's own usual rate, a new account writing to
 * many conversations, links to domains members reported before, and reports against the sender's
 * recent messages. Every count comes from the database, so every node judges alike; each raises the
 * text's score and adds a reason in words.
 */
final class Behaviour {

  /** A text is bulk once it went to this many other conversations within a day. */
  static final int BULK_CONVERSATIONS = 5;

  /** A burst: this many messages within the last minute, and five times the usual rate. */
  static final int BURST_PER_MINUTE = 30;

  /** An account this young writing to this many conversations in an hour is suspect. */
  static final Duration NEW_ACCOUNT = Duration.ofDays(2);

  static final int NEW_ACCOUNT_CONVERSATIONS = 20;

  /** Reports against the sender's messages of the last 30 days that make them suspect. */
  static final int REPORTS = 3;

  private static final Pattern LINK =
      Pattern.compile("(?i)\\b(?:https?://|www\\.)([a-z0-9.-]+\\.[a-z]{2,})");
  private static final Pattern NOISE = Pattern.compile("(?i)https?://\\S+|www\\.\\S+|[^\\p{L} ]");

  /** What was found for one message; {@code fuzzy} is empty for a message without text. */
  record Signals(Optional<String> fuzzy, List<Reason> reasons, int points) {}

  private final Database db;
  private final BlindIndex index;
  private final Function<String, Optional<Instant>> accountCreated;
  private final Clock clock;

  Behaviour(
      Database db,
      BlindIndex index,
      Function<String, Optional<Instant>> accountCreated,
      Clock clock) {
    this.db = db;
    this.index = index;
    this.accountCreated = accountCreated;
    this.clock = clock;
  }

  /** The fingerprint of {@code text}: keyed, so it cannot be turned back into the text. */
  Optional<String> fuzzy(String text) {
    String normal =
        NOISE.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").trim().replaceAll(" +", " ");
    return normal.length() < 20 ? Optional.empty() : Optional.of(index.of("message.fuzzy", normal));
  }

  /** The keyed hashes of the link domains in {@code text}. */
  Set<String> domains(String text) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = LINK.matcher(text);
    while (m.find() && out.size() < 20) {
      out.add(index.of("message.domain", m.group(1).toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  /** What {@code sender} is doing as they send a message into {@code conversationId}. */
  Signals signals(String sender, String conversationId, Optional<String> text) {
    long now = clock.millis();
    Optional<String> fuzzy = text.flatMap(this::fuzzy);
    Set<String> domains = text.map(this::domains).orElse(Set.of());
    List<Reason> reasons = new ArrayList<>();
    Counts c =
        db.withHandle(
            h ->
                h.createQuery(COUNTS_SQL)
                    .bind("s", sender)
                    .bind("f", fuzzy.orElse(""))
                    .bind("c", conversationId)
                    .bind("day", now - DAY)
                    .bind("hour", now - HOUR)
                    .bind("minute", now - MINUTE)
                    .bind("month", now - 30 * DAY)
                    .map(
                        (rs, ctx) ->
                            new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                    .one());
    int p = 0;
    if (fuzzy.isPresent() && c.bulk() >= BULK_CONVERSATIONS) {
      reasons.add(
          new Reason(
              "bulk", "the same text went to " + c.bulk() + " other conversations within a day"));
      p += 50;
    }
    if (c.minute() >= BURST_PER_MINUTE && c.minute() >= 5 * usualPerMinute(sender, c, now)) {
      reasons.add(
          new Reason("burst", c.minute() + " messages in the last minute, far above usual"));
      p += 30;
    }
    Optional<Instant> created = accountCreated.apply(sender);
    if (created.isPresent()
        && created.get().isAfter(Instant.ofEpochMilli(now).minus(NEW_ACCOUNT))
        && c.fanOut() >= NEW_ACCOUNT_CONVERSATIONS) {
      reasons.add(
          new Reason(
              "new_account_fan_out",
              "a new account wrote to " + c.fanOut() + " conversations within an hour"));
      p += 30;
    }
    if (!domains.isEmpty() && reportedDomain(domains)) {
      reasons.add(new Reason("reported_link", "links to a site members reported before"));
      p += 50;
    }
    if (c.reports() >= REPORTS) {
      reasons.add(
          new Reason(
              "reported_sender",
              c.reports() + " reports against the sender's messages in 30 days"));
      p += 40;
    }
    return new Signals(fuzzy, reasons, p);
  }

  private record Counts(long bulk, long minute, long fanOut, long reports) {}

  /** The sender's usual pace: their messages in the hour before this minute, per minute. */
  private double usualPerMinute(String sender, Counts c, long now) {
    long hour =
        db.withHandle(
            h ->
                h.createQuery(HOUR_SQL)
                    .bind("s", sender)
                    .bind("hour", now - HOUR)
                    .mapTo(Long.class)
                    .one());
    return (hour - c.minute()) / 59.0;
  }

  private boolean reportedDomain(Set<String> domains) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM reported_domains WHERE domain_key IN (<d>)")
                    .bindList("d", List.copyOf(domains))
                    .mapTo(Long.class)
                    .one()
                > 0);
  }

  /** The text's verdict raised by the signals: 80 and above is spam, 50 and above suspicious. */
  static Verdict combine(Verdict text, Signals signals) {
    if (signals.points() == 0) {
      return text;
    }
    int score = Math.min(100, text.score() + signals.points());
    String verdict =
        score >= 80 || text.isSpam()
            ? Verdict.SPAM
            : score >= 50 ? Verdict.SUSPICIOUS : text.verdict();
    List<Reason> reasons = new ArrayList<>(signals.reasons());
    reasons.addAll(text.reasons());
    return new Verdict(verdict, score, reasons);
  }

  /**
   * Records a member's spam or fraud report of {@code sender}'s message with link domains {@code
   * domains}: the sender's count of reports (a 30-day window) and the domains.
   */
  void reported(Handle h, @org.jspecify.annotations.Nullable String sender, Set<String> domains) {
    long now = clock.millis();
    if (sender != null) {
      h.createUpdate(
              "INSERT INTO sender_reports (subject_id, reports, since) VALUES (:s, 1, :now)"
                  + " ON CONFLICT (subject_id) DO UPDATE SET"
                  + " reports = CASE WHEN sender_reports.since < :expired THEN 1"
                  + " ELSE sender_reports.reports + 1 END,"
                  + " since = CASE WHEN sender_reports.since < :expired THEN :now"
                  + " ELSE sender_reports.since END")
          .bind("s", sender)
          .bind("now", now)
          .bind("expired", now - 30 * DAY)
          .execute();
    }
    for (String d : domains) {
      h.createUpdate(
              "INSERT INTO reported_domains (domain_key, reports, last_at) VALUES (:d, 1, :at)"
                  + " ON CONFLICT (domain_key) DO UPDATE SET"
                  + " reports = reported_domains.reports + 1, last_at = excluded.last_at")
          .bind("d", d)
          .bind("at", now)
          .execute();
    }
  }

  private static final long MINUTE = 60_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 86_400_000L;

  /**
   * The counts every message needs, in one statement, each scan bounded (a spammer's history must
   * not make each of their messages slower to judge than the last): bulk is this sender's same text
   * in other conversations among their last 200 messages of the day; the minute gives the pace;
   * fan-out is the conversations among their last 200 messages within the hour; reports are those
   * of the current 30-day window.
   */
  private static final String COUNTS_SQL =
      "SELECT"
          + " (SELECT COUNT(DISTINCT conversation_id) FROM (SELECT conversation_id, fuzzy"
          + " FROM messages WHERE sender_id = :s AND at > :day ORDER BY at DESC LIMIT 200) AS b"
          + " WHERE fuzzy = :f AND conversation_id <> :c),"
          + " (SELECT COUNT(*) FROM (SELECT 1 AS x FROM messages WHERE sender_id = :s"
          + " AND at > :minute LIMIT 1000) AS m),"
          + " (SELECT COUNT(DISTINCT conversation_id) FROM (SELECT conversation_id FROM messages"
          + " WHERE sender_id = :s AND at > :hour ORDER BY at DESC LIMIT 200) AS f),"
          + " (SELECT COALESCE(MAX(reports), 0) FROM sender_reports WHERE subject_id = :s"
          + " AND since > :month)";

  /** The sender's messages within the hour, asked only when the last minute was busy. */
  private static final String HOUR_SQL =
      "SELECT COUNT(*) FROM (SELECT 1 AS x FROM messages WHERE sender_id = :s AND at > :hour"
          + " LIMIT 60000) AS h";
}
