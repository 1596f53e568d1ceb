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
    int points =
        db.withHandle(
            h -> {
              int p = 0;
              if (fuzzy.isPresent()) {
                long others = count(h, BULK_SQL, fuzzy.get(), conversationId, now - DAY);
                if (others >= BULK_CONVERSATIONS) {
                  reasons.add(
                      new Reason(
                          "bulk",
                          "the same text went to " + others + " other conversations within a day"));
                  p += 50;
                }
              }
              long lastMinute = count(h, RATE_SQL, sender, null, now - MINUTE);
              if (lastMinute >= BURST_PER_MINUTE) {
                long week = count(h, RATE_SQL, sender, null, now - 7 * DAY);
                double usualPerMinute = week / (7.0 * 24 * 60);
                if (lastMinute >= 5 * usualPerMinute) {
                  reasons.add(
                      new Reason(
                          "burst", lastMinute + " messages in the last minute, far above usual"));
                  p += 30;
                }
              }
              Optional<Instant> created = accountCreated.apply(sender);
              if (created.isPresent()
                  && created.get().isAfter(Instant.ofEpochMilli(now).minus(NEW_ACCOUNT))) {
                long fanOut = count(h, FAN_OUT_SQL, sender, null, now - HOUR);
                if (fanOut >= NEW_ACCOUNT_CONVERSATIONS) {
                  reasons.add(
                      new Reason(
                          "new_account_fan_out",
                          "a new account wrote to " + fanOut + " conversations within an hour"));
                  p += 30;
                }
              }
              if (!domains.isEmpty()) {
                long reported =
                    h.createQuery("SELECT COUNT(*) FROM reported_domains WHERE domain_key IN (<d>)")
                        .bindList("d", List.copyOf(domains))
                        .mapTo(Long.class)
                        .one();
                if (reported > 0) {
                  reasons.add(
                      new Reason("reported_link", "links to a site members reported before"));
                  p += 50;
                }
              }
              long reports = count(h, REPORTS_SQL, sender, null, now - 30 * DAY);
              if (reports >= REPORTS) {
                reasons.add(
                    new Reason(
                        "reported_sender",
                        reports + " reports against the sender's messages in 30 days"));
                p += 40;
              }
              return p;
            });
    return new Signals(fuzzy, reasons, points);
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

  /** Records the link domains of a message a member reported as spam or fraud. */
  void reported(Handle h, Set<String> domains) {
    long now = clock.millis();
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

  private static final String BULK_SQL =
      "SELECT COUNT(DISTINCT conversation_id) FROM messages WHERE fuzzy = :a"
          + " AND conversation_id <> :b AND at > :since";
  private static final String RATE_SQL =
      "SELECT COUNT(*) FROM messages WHERE sender_id = :a AND at > :since";
  private static final String FAN_OUT_SQL =
      "SELECT COUNT(DISTINCT conversation_id) FROM messages WHERE sender_id = :a AND at > :since";
  private static final String REPORTS_SQL =
      "SELECT COUNT(*) FROM message_reports r JOIN messages m ON m.id = r.message_id"
          + " WHERE m.sender_id = :a AND r.at > :since AND r.reason IN ('spam', 'fraud')";

  private static long count(
      Handle h, String sql, String a, @org.jspecify.annotations.Nullable String b, long since) {
    var q = h.createQuery(sql).bind("a", a).bind("since", since);
    if (b != null) {
      q.bind("b", b);
    }
    return q.mapTo(Long.class).one();
  }
}
