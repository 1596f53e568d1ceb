package app.candor.payment;

import java.util.Optional;

/**
 * A request to move money, parsed at the edge: a transfer to a person or a merchant, a top-up of
 * the wallet from a payment method, or a pay-out from the wallet to one.
 *
 * @param kind {@code transfer}, {@code top_up} or {@code pay_out}
 * @param from the paying person (the wallet's owner for top-ups and pay-outs)
 * @param toUser the receiving person, for a transfer to a person
 * @param toMerchant the receiving merchant, for a transfer to a merchant
 * @param amount what moves
 * @param methodId the card or bank account: the source of a top-up or of a transfer paid by card,
 *     the destination of a pay-out; empty for a transfer from the wallet
 * @param note the payer's note
 * @param holdSeconds a two-phase transfer: held until captured or voided, or until this timeout
 */
public record TransferRequest(
    String kind,
    String from,
    Optional<String> toUser,
    Optional<String> toMerchant,
    Money amount,
    Optional<String> methodId,
    Optional<String> note,
    Optional<Integer> holdSeconds) {

  /** The request in one canonical line, digested to tell a retry from a different request. */
  String canonical() {
    java.util.List<String> parts =
        java.util.List.of(
            kind,
            from,
            toUser.orElse(""),
            toMerchant.orElse(""),
            Long.toString(amount.amount()),
            amount.currency(),
            methodId.orElse(""),
            note.orElse(""),
            holdSeconds.map(String::valueOf).orElse(""));
    try {
      return app.candor.core.json.Json.mapper().writeValueAsString(parts);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "TransferRequest[" + kind + ", masked]";
  }
}
