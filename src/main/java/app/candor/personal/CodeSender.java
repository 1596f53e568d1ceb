package app.candor.personal;

/**
 * Delivers one-time codes over one channel: {@link SmtpCodeSender} (email), {@link
 * WebhookSmsSender} (sms), or, for demos and tests only, the {@link OutboxSender} that operators
 * read. {@link CodeDelivery} picks the sender of each channel and sends in the background.
 */
public interface CodeSender {

  /**
   * Sends {@code code} to {@code address} over {@code channel} ("sms" or "email"); throws on
   * failure, preferably a {@link DeliveryFailed} whose message is safe to log.
   */
  void send(String subjectId, String channel, String address, String code);

  /** Forgets anything kept about this person (called on erasure). */
  default void forget(String subjectId) {}

  /** The words of a code message, the same on every channel. */
  static String text(String code) {
    return "Your verification code is "
        + code
        + ". It expires in "
        + SignIn.CODE_LIFETIME.toMinutes()
        + " minutes. If you did not ask for it, ignore this message.";
  }

  /** A delivery failure whose message holds neither the address nor the code: safe to log. */
  final class DeliveryFailed extends RuntimeException {
    public DeliveryFailed(String safeDetail) {
      super(safeDetail);
    }
  }
}
