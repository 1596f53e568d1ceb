package app.candor.core.catalog;

import static app.candor.core.catalog.Purpose.PAYMENTS;
import static app.candor.core.catalog.Purpose.SAFETY;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The payment category's part of the catalog: methods, wallet, transfers, fraud assessments. */
final class PaymentFields {
  private PaymentFields() {}

  static void add(List<FieldSpec> fields, RetentionSettings retention) {
    String records =
        retention.paymentRecordYears()
            + " years after the payment settled, as financial records must be kept by law; then"
            + " the clean-up that runs every "
            + retention.cleanupInWords()
            + " deletes the note, the fraud reasons and which card was used, and the amounts"
            + " stay so that every balance still adds up. When you erase your account they stay,"
            + " with your side shown as \"erased account\" and nothing about you left in them";
    fields.add(
        new FieldSpec(
            "payment.methods",
            Category.PAYMENT,
            "Your cards (brand, last 4 digits, expiry, holder name) and bank accounts (country,"
                + " last 4 characters, holder name), with the full number, all encrypted with your"
                + " key: the number is what a top-up charges or a pay-out is sent to. The card"
                + " security code is checked and never kept.",
            Set.of(PAYMENTS),
            Sensitivity.HIGH,
            "Until you remove the card or account, or erase your account",
            true,
            Set.of(
                "payment_methods.type",
                "payment_methods.details_ct",
                "payment_methods.number_ct",
                "payment_methods.created_at")));
    fields.add(
        new FieldSpec(
            "payment.cardFingerprints",
            Category.PAYMENT,
            "A keyed fingerprint of each card or account number: it tells that the same card was"
                + " added to other accounts (fraud defence), and reveals nothing else about it.",
            Set.of(PAYMENTS, SAFETY),
            Sensitivity.LOW,
            "Until you remove the card or account, or erase your account",
            false,
            Set.of("payment_methods.fingerprint")));
    fields.add(
        new FieldSpec(
            "payment.wallet",
            Category.PAYMENT,
            "Your wallet's balance and the amount held by payments not yet settled: kept as plain"
                + " numbers so that the database itself refuses a payment that would take the"
                + " balance below zero; linked to you only while your account exists.",
            Set.of(PAYMENTS),
            Sensitivity.MEDIUM,
            records,
            false,
            Set.of("ledger_accounts.balance", "ledger_accounts.held")));
    fields.add(
        new FieldSpec(
            "payment.transactions",
            Category.PAYMENT,
            "Every payment, top-up and pay-out to or from you: amount, currency, status, when, the"
                + " accounts on both sides and the card or bank account used.",
            Set.of(PAYMENTS, SAFETY),
            Sensitivity.MEDIUM,
            records,
            false,
            Set.of(
                "transfers.kind",
                "transfers.debit_account",
                "transfers.credit_account",
                "transfers.currency",
                "transfers.amount",
                "transfers.posted_amount",
                "transfers.status",
                "transfers.payment_method_id",
                "transfers.created_at",
                "transfers.expires_at",
                "transfers.settled_at")));
    fields.add(
        new FieldSpec(
            "payment.notes",
            Category.PAYMENT,
            "The note you attached to a payment, encrypted with your key.",
            Set.of(PAYMENTS),
            Sensitivity.MEDIUM,
            records,
            true,
            Set.of("transfers.note_ct")));
    fields.add(
        new FieldSpec(
            "payment.riskAssessments",
            Category.PAYMENT,
            "The fraud check of each payment you made: a score from 0 to 100, the decision (allow,"
                + " review, decline) and the reasons in words (encrypted with your key), and"
                + " whether the payment was later reported as fraud.",
            Set.of(SAFETY),
            Sensitivity.MEDIUM,
            records,
            false,
            Set.of(
                "transfers.risk_score",
                "transfers.risk_decision",
                "transfers.risk_ct",
                "transfers.fraud_reported_at")));
    fields.add(
        new FieldSpec(
            "payment.retryAnswers",
            Category.PAYMENT,
            "The answer to each payment request the app made for you, encrypted with your key and"
                + " kept for a day, so that a request sent twice (a retry after a lost connection)"
                + " pays once and gets the same answer.",
            Set.of(PAYMENTS),
            Sensitivity.MEDIUM,
            "24 hours, then deleted by the clean-up that runs every "
                + retention.cleanupInWords()
                + "; at once when you erase your account",
            true,
            Set.of(
                "idempotency_keys.caller",
                "idempotency_keys.idem_key",
                "idempotency_keys.request_sha256",
                "idempotency_keys.status",
                "idempotency_keys.answer_ct",
                "idempotency_keys.created_at")));
    fields.add(
        new FieldSpec(
            "payment.dailyTotals",
            Category.PAYMENT,
            "For fraud defence: per day, how many payments your wallet made and received, their"
                + " total, and how many were confirmed as fraud.",
            Set.of(SAFETY),
            Sensitivity.LOW,
            "400 days, then deleted by the clean-up that runs every "
                + retention.cleanupInWords()
                + "; at once when you erase your account",
            false,
            Set.of(
                "payment_daily.day",
                "payment_daily.transfers",
                "payment_daily.amount",
                "payment_daily.frauds")));
  }

  static void technical(Map<String, String> technical) {
    technical.put("payment_methods.id", "random id of a card or bank account");
    technical.put("transfers.id", "random id of a transfer");
  }
}
