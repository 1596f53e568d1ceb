package app.candor.payment.risk;

/** What the transfer path does with a transfer, from its score (see {@link RiskScorer}). */
public enum Decision {
  ALLOW,
  REVIEW,
  DECLINE
}
