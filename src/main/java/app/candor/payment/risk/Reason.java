package app.candor.payment.risk;

import java.util.Objects;

/**
 * Why a score is high, for the person and for an investigator: a stable {@code code} (one of {@link
 * RiskScorer#REASON_CODES}) and a {@code detail} in plain words, with no personal data beyond the
 * transfer's own figures.
 */
public record Reason(String code, String detail) {

  public Reason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(detail, "detail");
  }
}
