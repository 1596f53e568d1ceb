package app.candor.http;

import app.candor.core.errors.Validation;
import app.candor.payment.MethodInput;
import app.candor.payment.Money;
import app.candor.payment.TransferRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * Parses payment request bodies into the domain's records, naming each bad field: an amount must be
 * a whole number (never a float or a string), a currency three capital letters, ids strings.
 */
final class PaymentBodies {
  private PaymentBodies() {}

  static MethodInput method(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "type", "card", "bankAccount");
    String type = Requests.requiredString(body, "type", v);
    MethodInput out = null;
    if (type.equals("card")) {
      ObjectNode card = object(body, "card", v);
      if (card != null) {
        Requests.onlyFields(
            card, v.nested("card."), "number", "expMonth", "expYear", "cvc", "holderName");
        String number = Requests.requiredString(card, "number", v.nested("card."));
        int month = integer(card, "expMonth", "card.expMonth", v);
        int year = integer(card, "expYear", "card.expYear", v);
        String cvc = Requests.requiredString(card, "cvc", v.nested("card."));
        String holder = Requests.requiredString(card, "holderName", v.nested("card."));
        out = new MethodInput.Card(number, month, year, cvc, holder);
      }
    } else if (type.equals("bank_account")) {
      ObjectNode bank = object(body, "bankAccount", v);
      if (bank != null) {
        Requests.onlyFields(bank, v.nested("bankAccount."), "iban", "holderName");
        String iban = Requests.requiredString(bank, "iban", v.nested("bankAccount."));
        String holder = Requests.requiredString(bank, "holderName", v.nested("bankAccount."));
        out = new MethodInput.BankAccount(iban, holder);
      }
    } else if (!type.isEmpty()) {
      v.add("type", "must be card or bank_account");
    }
    v.throwIfInvalid();
    return out;
  }

  /** {@code POST /v1/transfers}. */
  static TransferRequest transfer(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "from", "to", "amount", "source", "note", "hold");
    String from = Requests.requiredString(body, "from", v);
    Optional<String> toUser = Optional.empty();
    Optional<String> toMerchant = Optional.empty();
    ObjectNode to = object(body, "to", v);
    if (to != null) {
      if (to.has("userId") == to.has("merchantId") || to.size() != 1) {
        v.add("to", "must be {userId} or {merchantId}");
      } else if (to.has("userId")) {
        toUser = Optional.of(Requests.requiredString(to, "userId", v.nested("to.")));
      } else {
        toMerchant = Optional.of(Requests.requiredString(to, "merchantId", v.nested("to.")));
      }
    }
    Money amount = money(body, v);
    Optional<String> method = Optional.empty();
    JsonNode source = body.get("source");
    if (source == null || source.isNull()) {
      v.add("source", "is required: \"wallet\" or a payment method id");
    } else if (!source.isTextual()) {
      v.add("source", "must be a string: \"wallet\" or a payment method id");
    } else if (!source.asText().equals("wallet")) {
      method = Optional.of(source.asText());
    }
    Optional<String> note = optionalString(body, "note", v);
    Optional<Integer> hold = Optional.empty();
    if (body.has("hold") && !body.get("hold").isNull()) {
      ObjectNode h = object(body, "hold", v);
      if (h != null) {
        Requests.onlyFields(h, v.nested("hold."), "timeoutSeconds");
        hold = Optional.of(integer(h, "timeoutSeconds", "hold.timeoutSeconds", v));
      }
    }
    v.throwIfInvalid();
    return new TransferRequest("transfer", from, toUser, toMerchant, amount, method, note, hold);
  }

  /** {@code POST /v1/users/{id}/wallet/top-ups} and {@code .../pay-outs}. */
  static TransferRequest walletMove(String kind, String person, ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "paymentMethodId", "amount");
    String method = Requests.requiredString(body, "paymentMethodId", v);
    Money amount = money(body, v);
    v.throwIfInvalid();
    return new TransferRequest(
        kind,
        person,
        Optional.empty(),
        Optional.empty(),
        amount,
        Optional.of(method),
        Optional.empty(),
        Optional.empty());
  }

  /** {@code POST /v1/transfers/{id}/capture}: an optional amount in minor units. */
  static Optional<Long> capture(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "amount");
    Optional<Long> out = Optional.empty();
    JsonNode a = body.get("amount");
    if (a != null && !a.isNull()) {
      JsonNode units = a.isObject() ? a.get("amount") : a;
      if (units == null || !units.isIntegralNumber() || !units.canConvertToLong()) {
        v.add("amount", "must be a whole number of minor units, or {amount, currency}");
      } else {
        out = Optional.of(units.asLong());
      }
    }
    v.throwIfInvalid();
    return out;
  }

  private static Money money(ObjectNode body, Validation v) {
    ObjectNode m = object(body, "amount", v);
    if (m == null) {
      return new Money(0, "");
    }
    Requests.onlyFields(m, v.nested("amount."), "amount", "currency");
    JsonNode units = m.get("amount");
    long amount = 0;
    if (units == null || units.isNull()) {
      v.add("amount.amount", "is required: a whole number of minor units (cents)");
    } else if (!units.isIntegralNumber() || !units.canConvertToLong()) {
      v.add(
          "amount.amount",
          "must be a whole number of minor units (cents), not "
              + Requests.kind(units)
              + (units.isFloatingPointNumber() ? " with a fraction" : ""));
    } else {
      amount = units.asLong();
    }
    String currency = Requests.requiredString(m, "currency", v.nested("amount."));
    if (!currency.isEmpty() && !currency.matches("[A-Z]{3}")) {
      v.add("amount.currency", "must be an ISO 4217 code such as EUR");
    }
    return new Money(amount, currency);
  }

  private static ObjectNode object(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      v.add(field, "is required");
      return null;
    }
    if (!node.isObject()) {
      v.add(field, "must be an object, got " + Requests.kind(node));
      return null;
    }
    return (ObjectNode) node;
  }

  private static int integer(ObjectNode body, String name, String field, Validation v) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      v.add(field, "is required");
      return 0;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      v.add(field, "must be a whole number, got " + Requests.kind(node));
      return 0;
    }
    return node.asInt();
  }

  private static Optional<String> optionalString(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      v.add(field, "must be a string, got " + Requests.kind(node));
      return Optional.empty();
    }
    return Optional.of(node.asText());
  }
}
