package app.candor.payment;

/**
 * A payment method as a request gives it, parsed at the edge, not yet checked: a card (the security
 * code is checked for shape and then dropped) or a bank account.
 */
public sealed interface MethodInput {

  /** A card: number, expiry, security code and holder, as typed. */
  record Card(String number, int expMonth, int expYear, String cvc, String holderName)
      implements MethodInput {
    @Override
    public String toString() {
      return "Card[masked]";
    }
  }

  /** A bank account by its IBAN and holder, as typed. */
  record BankAccount(String iban, String holderName) implements MethodInput {
    @Override
    public String toString() {
      return "BankAccount[masked]";
    }
  }
}
