package app.candor.http;

import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.payment.Merchants;
import app.candor.payment.PaymentMethods;
import app.candor.payment.Payments;
import app.candor.payment.TransferRequest;
import app.candor.payment.Transfers;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Payment methods, merchants, the wallet, transfers and holds, and the transaction history. */
public record PaymentRoutes(PurposeGate gate, Payments payments) implements HttpServer.Module {

  private static final Pattern TRANSFER_ID = Pattern.compile("tr_[0-9a-f]{32}");
  private static final Pattern METHOD_ID = Pattern.compile("pm_[0-9a-f]{32}");
  private static final String IDEMPOTENCY =
      "required: a unique key per request (1-255 visible ASCII characters); a retry with the same"
          + " key and body gets the first answer again, another body 422";

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> money =
        Schemas.object(
            List.of("amount", "currency"),
            "amount",
            Schemas.integer("minor units (cents), a whole number"),
            "currency",
            Schemas.string("ISO 4217 code, the wallets' currency"));
    Map<String, Object> method =
        Schemas.object(
            List.of("id", "type", "createdAt"),
            "id",
            Schemas.string("pm_..."),
            "type",
            Schemas.string("card | bank_account"),
            "card",
            Schemas.any("{brand, last4, expMonth, expYear, fingerprint}"),
            "bankAccount",
            Schemas.any("{country, last4, fingerprint}"),
            "createdAt",
            Schemas.string("ISO-8601 instant"));
    Map<String, Object> transfer =
        Schemas.object(
            List.of("id", "status", "from", "to", "amount", "createdAt", "risk"),
            "id",
            Schemas.string("tr_..."),
            "kind",
            Schemas.string("transfer | top_up | pay_out"),
            "status",
            Schemas.string("posted | held | declined | voided | expired"),
            "from",
            Schemas.string("the payer's user id"),
            "to",
            Schemas.any("{userId} | {merchantId} | {paymentMethodId}"),
            "amount",
            money,
            "capturedAmount",
            money,
            "note",
            Schemas.string("the payer's note"),
            "expiresAt",
            Schemas.string("when an unsettled hold expires"),
            "createdAt",
            Schemas.string("ISO-8601 instant"),
            "risk",
            Schemas.object(
                List.of("score", "decision", "reasons"),
                "score",
                Schemas.integer("0-100"),
                "decision",
                Schemas.string("allow | review | decline"),
                "reasons",
                Schemas.array(Schemas.any("{code, detail}"))));

    api.post(
        "/v1/users/{id}/payment-methods",
        Op.of("payments", "Save a card or bank account (the security code is checked, never kept)")
            .callers("the person", "service with payments")
            .request(
                Schemas.any(
                    "{type: card, card: {number, expMonth, expYear, cvc, holderName}}"
                        + " | {type: bank_account, bankAccount: {iban, holderName}}"))
            .ok(201, "saved; shown masked", method)
            .error(400, "a bad field (card.number: Luhn; card.expYear: expired; bankAccount.iban)")
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such person (or not yours)")
            .error(409, "the same card or account is already saved for the person"),
        ctx -> {
          Grant grant =
              gate.change(requests.signedIn(ctx), Requests.id(ctx), PaymentMethods.METHODS);
          var input = PaymentBodies.method(Requests.object(ctx));
          PaymentMethods.Method saved = payments.methods().add(grant, input);
          gate.changed(grant);
          ctx.status(201).json(saved.json());
        });
    api.get(
        "/v1/users/{id}/payment-methods",
        Op.of("payments", "List a person's cards and bank accounts, masked")
            .callers("the person", "service with payments")
            .ok(
                200,
                "{paymentMethods: [...]}",
                Schemas.object(List.of("paymentMethods"), "paymentMethods", Schemas.array(method)))
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such person (or not yours)"),
        ctx ->
            ctx.json(
                gate.read(
                    requests.signedIn(ctx),
                    Requests.id(ctx),
                    Optional.empty(),
                    PaymentMethods.METHODS,
                    g ->
                        Map.of(
                            "paymentMethods",
                            payments.methods().list(g).stream()
                                .map(PaymentMethods.Method::json)
                                .toList()))));
    api.delete(
        "/v1/users/{id}/payment-methods/{pmId}",
        Op.of("payments", "Remove a card or bank account")
            .callers("the person", "service with payments")
            .ok(204, "removed")
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such person or method (or not yours)"),
        ctx -> {
          Grant grant =
              gate.change(requests.signedIn(ctx), Requests.id(ctx), PaymentMethods.METHODS);
          String pm = ctx.pathParam("pmId");
          if (!METHOD_ID.matcher(pm).matches()) {
            throw CandorException.notFound("payment method");
          }
          payments.methods().remove(grant, pm);
          gate.changed(grant);
          ctx.status(204);
        });

    api.post(
        "/v1/merchants",
        Op.of("payments", "Register a merchant people can pay")
            .callers("admin")
            .request(
                Schemas.object(
                    List.of("name", "category"),
                    "name",
                    Schemas.string("1-200 characters"),
                    "category",
                    Schemas.string("e.g. food, travel")))
            .ok(201, "registered", Schemas.any("{id, name, category}"))
            .error(400, "a missing or bad field")
            .error(401, "no or bad token")
            .error(403, "not an operator"),
        ctx -> {
          requests.requireAdmin(ctx);
          ObjectNode body = Requests.object(ctx);
          Validation v = new Validation();
          Requests.onlyFields(body, v, "name", "category");
          String name = Requests.requiredString(body, "name", v);
          String category = Requests.requiredString(body, "category", v);
          v.throwIfInvalid();
          Merchants.Merchant m = payments.merchants().create(name, category);
          ctx.status(201).json(Map.of("id", m.id(), "name", m.name(), "category", m.category()));
        });

    api.get(
        "/v1/users/{id}/wallet",
        Op.of("payments", "A person's wallet: the available balance and the amount held")
            .callers("the person", "service with payments")
            .ok(
                200,
                "{balance, held}",
                Schemas.object(List.of("balance", "held"), "balance", money, "held", money))
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such person (or not yours)"),
        ctx ->
            ctx.json(
                gate.read(
                    requests.signedIn(ctx),
                    Requests.id(ctx),
                    Optional.empty(),
                    Payments.WALLET,
                    payments::wallet)));
    for (String kind : List.of("top-ups", "pay-outs")) {
      api.post(
          "/v1/users/{id}/wallet/" + kind,
          Op.of(
                  "payments",
                  kind.equals("top-ups")
                      ? "Top the wallet up from a saved card or bank account"
                      : "Pay money out of the wallet to a saved card or bank account")
              .callers("the person", "service with payments")
              .header("Idempotency-Key", IDEMPOTENCY)
              .request(
                  Schemas.object(
                      List.of("paymentMethodId", "amount"),
                      "paymentMethodId",
                      Schemas.string("pm_..."),
                      "amount",
                      money))
              .ok(201, "the transfer", transfer)
              .error(400, "a bad field, or no Idempotency-Key")
              .error(401, "no or bad token")
              .error(402, "the wallet cannot cover the pay-out (nothing written)")
              .error(403, "the key lacks payments")
              .error(404, "no such person (or not yours)")
              .error(422, "the Idempotency-Key was used with another body"),
          ctx -> {
            String person = Requests.id(ctx);
            Grant grant = gate.change(requests.signedIn(ctx), person, Transfers.MOVE);
            TransferRequest request =
                PaymentBodies.walletMove(
                    kind.equals("top-ups") ? "top_up" : "pay_out", person, Requests.object(ctx));
            answer(ctx, grant, request);
          });
    }

    api.post(
        "/v1/transfers",
        Op.of("payments", "Pay a person or a merchant, at once or as a hold to capture later")
            .callers("service with payments", "the paying person")
            .header("Idempotency-Key", IDEMPOTENCY)
            .request(
                Schemas.object(
                    List.of("from", "to", "amount", "source"),
                    "from",
                    Schemas.string("the payer's user id"),
                    "to",
                    Schemas.any("{userId} | {merchantId}"),
                    "amount",
                    money,
                    "source",
                    Schemas.string("\"wallet\" or a saved payment method id"),
                    "note",
                    Schemas.string("up to 500 characters"),
                    "hold",
                    Schemas.any("{timeoutSeconds}: hold until captured or voided")))
            .ok(201, "the transfer: posted, held, or declined by the fraud check", transfer)
            .error(400, "a bad field (named), an unknown recipient, or no Idempotency-Key")
            .error(401, "no or bad token")
            .error(402, "the wallet cannot cover it (nothing written)")
            .error(403, "the key lacks payments")
            .error(404, "no such payer (or not yours)")
            .error(422, "the Idempotency-Key was used with another body"),
        ctx -> {
          TransferRequest request = PaymentBodies.transfer(Requests.object(ctx));
          Grant grant =
              gate.change(requests.signedIn(ctx), personId(request.from()), Transfers.MOVE);
          answer(ctx, grant, request);
        });
    api.get(
        "/v1/transfers/{id}",
        Op.of("payments", "One transfer, as it stands now")
            .callers("service with payments", "the payer")
            .ok(200, "the transfer", transfer)
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such transfer (or not yours)"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = transferId(ctx);
          ctx.json(
              gate.read(
                  caller,
                  payments.payer(id),
                  Optional.empty(),
                  Payments.TRANSFER,
                  g -> payments.transfer(g, id)));
        });
    api.post(
        "/v1/transfers/{id}/capture",
        Op.of("payments", "Capture a held transfer: all of it, or {amount} of it")
            .callers("service with payments", "the payer")
            .ok(200, "the transfer, posted", transfer)
            .error(400, "an amount above the held amount")
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such transfer (or not yours)")
            .error(409, "not held: settled already, or expired"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = transferId(ctx);
          Grant grant = gate.change(caller, payments.payer(id), Payments.TRANSFER);
          Optional<Long> amount =
              ctx.bodyAsBytes().length == 0
                  ? Optional.empty()
                  : PaymentBodies.capture(Requests.object(ctx));
          ctx.json(payments.capture(grant, id, amount));
          gate.changed(grant);
        });
    api.post(
        "/v1/transfers/{id}/void",
        Op.of("payments", "Void a held transfer: nothing moves, the held money is free again")
            .callers("service with payments", "the payer")
            .ok(200, "the transfer, voided", transfer)
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such transfer (or not yours)")
            .error(409, "not held: settled already, or expired"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = transferId(ctx);
          Grant grant = gate.change(caller, payments.payer(id), Payments.TRANSFER);
          ctx.json(payments.voidHold(grant, id));
          gate.changed(grant);
        });
    api.post(
        "/v1/transfers/{id}/fraud-report",
        Op.of("payments", "Report a transfer as confirmed fraud (feeds the fraud check)")
            .callers("service with safety", "admin")
            .ok(200, "{transferId, reportedAt}", Schemas.any("{transferId, reportedAt}"))
            .error(401, "no or bad token")
            .error(403, "the key lacks safety")
            .error(404, "no such transfer")
            .error(409, "reported already"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          if (caller instanceof Caller.User) {
            // Confirmed fraud feeds the merchant's and the payer's risk: only the app's fraud
            // team (a service with safety) or an operator confirms it.
            throw CandorException.forbidden(
                "fraud reports are for services with 'safety' and operators");
          }
          String id = transferId(ctx);
          Grant grant = gate.change(caller, payments.payer(id), Payments.FRAUD_REPORT);
          ctx.json(payments.reportFraud(grant, id));
          gate.changed(grant);
        });
    api.get(
        "/v1/users/{id}/transactions",
        Op.of("payments", "A person's transactions, newest first, a page at a time")
            .callers("the person", "service with payments")
            .query("limit", "1-100, default 20")
            .query("cursor", "nextCursor of the previous page")
            .ok(
                200,
                "{transactions: [{id, at, direction, counterparty: {name}, amount, status,"
                    + " note}], nextCursor}",
                Schemas.any("the page"))
            .error(400, "a bad limit or cursor")
            .error(401, "no or bad token")
            .error(403, "the key lacks payments")
            .error(404, "no such person (or not yours)"),
        ctx -> {
          int limit = limit(ctx);
          Optional<String> cursor = Optional.ofNullable(ctx.queryParam("cursor"));
          ctx.json(
              gate.read(
                  requests.signedIn(ctx),
                  Requests.id(ctx),
                  Optional.empty(),
                  Payments.HISTORY,
                  g -> payments.transactions(g, limit, cursor)));
        });
  }

  private void answer(Context ctx, Grant grant, TransferRequest request) {
    // Logged in the person's access log inside the transfer's own transaction.
    Payments.Answer answer =
        payments.move(grant, Optional.ofNullable(ctx.header("Idempotency-Key")), request);
    ctx.status(answer.status()).json(answer.body());
  }

  private static int limit(Context ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return 20;
    }
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw CandorException.invalid("limit", "must be a whole number from 1 to 100");
    }
  }

  /** A payer id from a body: a canonical UUID, or 404 as an unknown person is. */
  private static String personId(String raw) {
    try {
      if (raw.length() == 36 && java.util.UUID.fromString(raw).toString().equals(raw)) {
        return raw;
      }
    } catch (IllegalArgumentException e) {
      // Falls through.
    }
    throw CandorException.notFound("person");
  }

  private static String transferId(Context ctx) {
    String id = ctx.pathParam("id");
    if (!TRANSFER_ID.matcher(id).matches()) {
      throw CandorException.notFound("transfer");
    }
    return id;
  }
}
