package app.candor.payment.risk;

import java.util.List;
import java.util.Objects;

/**
 * The risk of one transfer: a score from 0 to 100 (the model's fraud probability in percent), the
 * decision it leads to, and the reasons that raised it, strongest first (empty when nothing stands
 * out).
 */
public record Assessment(int score, Decision decision, List<Reason> reasons) {

  public Assessment {
    if (score < 0 || score > 100) {
      throw new IllegalArgumentException("score must be within 0-100: " + score);
    }
    Objects.requireNonNull(decision, "decision");
    reasons = List.copyOf(reasons);
  }
}
