package app.candor.communication.spam;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The judgement of one text: {@code verdict} is {@code ham}, {@code suspicious} or {@code spam};
 * {@code score} is the model's spam probability in percent (0-100); {@code reasons} are what raised
 * it, strongest first, and are empty for ham.
 */
public record Verdict(String verdict, int score, List<Reason> reasons) {

  public static final String HAM = "ham";
  public static final String SUSPICIOUS = "suspicious";
  public static final String SPAM = "spam";

  private static final Set<String> VERDICTS = Set.of(HAM, SUSPICIOUS, SPAM);

  public Verdict {
    Objects.requireNonNull(verdict, "verdict");
    if (!VERDICTS.contains(verdict)) {
      throw new IllegalArgumentException("verdict must be ham, suspicious or spam: " + verdict);
    }
    if (score < 0 || score > 100) {
      throw new IllegalArgumentException("score must be within 0-100: " + score);
    }
    reasons = List.copyOf(reasons);
  }

  /** True for {@code spam}: the message is held, not delivered. */
  public boolean isSpam() {
    return SPAM.equals(verdict);
  }
}
