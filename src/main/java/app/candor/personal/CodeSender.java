package app.candor.personal;

/**
 * Delivers one-time codes. Plug in an SMS or email gateway here; the default keeps an outbox that
 * operators can read, for development and demos.
 */
public interface CodeSender {

  /** Sends {@code code} to {@code address} over {@code channel} ("sms" or "email"). */
  void send(String subjectId, String channel, String address, String code);

  /** Forgets anything kept about this person (called on erasure). */
  default void forget(String subjectId) {}
}
