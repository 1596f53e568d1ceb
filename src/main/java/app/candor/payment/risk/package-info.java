/**
 * Fraud scoring of transfers, in process and without a database: {@link RiskScorer} turns the
 * {@link Signals} of one transfer into an {@link Assessment} (score 0-100, decision, reasons a
 * person can read).
 *
 * <p>The live path feeds it from small per-account daily aggregates ({@link DayTotals}: count,
 * amount sum, confirmed frauds per account and UTC day, for the payer and for the counterparty),
 * never by scanning history: {@link AccountWindows#of} needs only the last {@value
 * AccountWindows#DAYS_NEEDED} days of them. Confirmed frauds are added to the day of the
 * transaction they concern when they are reported; the fraud windows skip the most recent {@value
 * AccountWindows#DELAY_DAYS} days, whose reports are not in yet.
 *
 * <p>The model is an additive model of boosted decision stumps ({@link RiskModel}), trained on the
 * simulator of the ULB/Worldline handbook "Reproducible Machine Learning for Credit Card Fraud
 * Detection" by {@code app.candor.bench.FraudEval}; see BENCHMARKS.md, "Fraud scoring (issue 14)".
 */
@NullMarked
package app.candor.payment.risk;

import org.jspecify.annotations.NullMarked;
