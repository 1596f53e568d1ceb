package app.candor.communication.spam;

import java.util.Objects;

/**
 * Why a text was judged as it was: a stable {@code code} ({@code text_model}, {@code links}, {@code
 * shouting}, {@code exclamations}, {@code money}) and a short {@code detail} in plain words made of
 * counts and percentages only, never of the message's own text.
 */
public record Reason(String code, String detail) {

  public Reason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detail, "detail");
  }
}
