package app.candor.personal;

import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import app.candor.core.errors.CandorException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which sender delivers the codes of each channel, and how. {@code serve} uses the senders
 * configured ({@link #configured}); a channel without one answers 503 before anything is stored.
 * Real senders run on a small background pool, so the request that asked for a code neither waits
 * for the mail or SMS server nor, by its timing, tells whether the address is registered (only
 * registered addresses get a message); a failed delivery is logged without the address or the code.
 * The demo's outbox ({@link #outbox}) is a memory append of constant cost, done in line.
 */
public final class CodeDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CodeDelivery.class);
  private static final int QUEUE = 10_000;

  private final Map<String, CodeSender> byChannel;
  private final Optional<ExecutorService> background;
  private final String unavailable;
  private final String description;

  private CodeDelivery(
      Map<String, CodeSender> byChannel,
      Optional<ExecutorService> background,
      String unavailable,
      String description) {
    this.byChannel = Map.copyOf(byChannel);
    this.background = background;
    this.unavailable = unavailable;
    this.description = description;
  }

  /** Both channels go to the operators' outbox, read at {@code GET /v1/admin/outbox} (demo). */
  public static CodeDelivery outbox(OutboxSender outbox) {
    Objects.requireNonNull(outbox, "outbox");
    return new CodeDelivery(
        Map.of("sms", outbox, "email", outbox),
        Optional.empty(),
        "",
        "the demo outbox (GET /v1/admin/outbox, admin token)");
  }

  /**
   * The senders {@code settings} configure: email when {@code CANDOR_SMTP_URL} is set, sms when
   * {@code CANDOR_SMS_WEBHOOK_URL} is. With none, sign-in answers 503 naming what to set.
   */
  public static CodeDelivery configured(Config.Delivery settings, Clock clock) {
    Objects.requireNonNull(settings, "settings");
    if (settings.disabled() && settings.hasSender()) {
      throw new ConfigException(
          "CANDOR_CODE_SENDER=none switches sign-in off, but a sender is configured too"
              + " (CANDOR_SMTP_URL or CANDOR_SMS_WEBHOOK_URL): unset one or the other");
    }
    Map<String, CodeSender> senders = new LinkedHashMap<>();
    List<String> described = new ArrayList<>();
    settings
        .smtpUrl()
        .ifPresent(
            url -> {
              SmtpCodeSender smtp =
                  new SmtpCodeSender(SmtpCodeSender.Server.parse(url), settings.smtpFrom(), clock);
              senders.put("email", smtp);
              described.add(smtp.describe());
            });
    settings
        .smsWebhookUrl()
        .ifPresent(
            url -> {
              WebhookSmsSender sms =
                  new WebhookSmsSender(
                      url,
                      settings
                          .smsWebhookSecret()
                          .orElseThrow(
                              () ->
                                  new ConfigException(
                                      "CANDOR_SMS_WEBHOOK_SECRET is required with"
                                          + " CANDOR_SMS_WEBHOOK_URL")),
                      clock);
              senders.put("sms", sms);
              described.add(sms.describe());
            });
    if (senders.isEmpty()) {
      String why =
          settings.disabled()
              ? "sign-in is switched off on this server (CANDOR_CODE_SENDER=none)"
              : "no code sender is configured on this server";
      return new CodeDelivery(
          Map.of(),
          Optional.empty(),
          why
              + "; an operator turns it on by setting CANDOR_SMTP_URL (email) or"
              + " CANDOR_SMS_WEBHOOK_URL and CANDOR_SMS_WEBHOOK_SECRET (sms)",
          settings.disabled() ? "off (CANDOR_CODE_SENDER=none)" : "off (no sender configured)");
    }
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "candor-code-sender");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return new CodeDelivery(senders, Optional.of(pool), "", String.join("; ", described));
  }

  /** Throws 503 when {@code channel} ("sms" or "email") has no sender. */
  void requireChannel(String channel) {
    requireAny();
    if (!byChannel.containsKey(channel)) {
      throw new CandorException(
          CandorException.Kind.UNAVAILABLE,
          "codes cannot be sent by "
              + channel
              + " on this server: "
              + ("sms".equals(channel)
                  ? "no SMS sender is configured (an operator sets CANDOR_SMS_WEBHOOK_URL and"
                      + " CANDOR_SMS_WEBHOOK_SECRET)"
                  : "no email sender is configured (an operator sets CANDOR_SMTP_URL)")
              + "; use channel '"
              + byChannel.keySet().iterator().next()
              + "'");
    }
  }

  /** Throws 503 when no channel has a sender: sign-in is off. */
  void requireAny() {
    if (byChannel.isEmpty()) {
      throw new CandorException(CandorException.Kind.UNAVAILABLE, unavailable);
    }
  }

  /** Hands the code to the channel's sender; returns at once for real senders. */
  void send(String subjectId, String channel, String address, String code) {
    CodeSender sender = byChannel.get(channel);
    if (sender == null) {
      throw new IllegalStateException("no sender for " + channel + ": requireChannel first");
    }
    if (background.isEmpty()) {
      deliver(sender, subjectId, channel, address, code);
      return;
    }
    try {
      background.get().execute(() -> deliver(sender, subjectId, channel, address, code));
    } catch (RejectedExecutionException e) {
      LOG.warn("a sign-in code by {} was dropped: the sending queue is full or closed", channel);
    }
  }

  private static void deliver(
      CodeSender sender, String subjectId, String channel, String address, String code) {
    try {
      sender.send(subjectId, channel, address, code);
    } catch (CodeSender.DeliveryFailed e) {
      LOG.warn("a sign-in code by {} was not delivered: {}", channel, e.getMessage());
    } catch (RuntimeException e) {
      // Other messages may quote the address: only the kind of failure is logged.
      LOG.warn("a sign-in code by {} was not delivered: {}", channel, e.getClass().getName());
    }
  }

  /** Forgets what the senders keep about the person (the outbox's messages). */
  void forget(String subjectId) {
    byChannel.values().stream().distinct().forEach(s -> s.forget(subjectId));
  }

  /** Where codes go, in words, for the start banner. */
  public String describe() {
    return description;
  }

  /** Lets the codes already queued go out (a few seconds at most), then stops the pool. */
  @Override
  public void close() {
    background.ifPresent(
        pool -> {
          pool.shutdown();
          try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
              pool.shutdownNow();
            }
          } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
          }
        });
  }
}
