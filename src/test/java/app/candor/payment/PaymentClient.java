package app.candor.payment;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.util.Optional;

/**
 * A payments service talking to a server over HTTP, as the tests of this package drive it: saving
 * cards, registering merchants, and the request bodies of transfers, top-ups and pay-outs.
 */
public record PaymentClient(Http http, String pay) {

  /** The body of a transfer of {@code amount} EUR from the wallet; {@code to} is a to-object. */
  static String transfer(String from, String to, long amount, Optional<Integer> holdSeconds) {
    return "{\"from\":\""
        + from
        + "\",\"to\":"
        + to
        + ",\"amount\":{\"amount\":"
        + amount
        + ",\"currency\":\"EUR\"},\"source\":\"wallet\""
        + holdSeconds.map(s -> ",\"hold\":{\"timeoutSeconds\":" + s + "}").orElse("")
        + "}";
  }

  static String toPerson(String userId) {
    return "{\"userId\":\"" + userId + "\"}";
  }

  static String toMerchant(String merchantId) {
    return "{\"merchantId\":\"" + merchantId + "\"}";
  }

  /** The body of a top-up or pay-out of {@code amount} EUR through {@code method}. */
  static String walletMove(String method, long amount) {
    return "{\"paymentMethodId\":\""
        + method
        + "\",\"amount\":{\"amount\":"
        + amount
        + ",\"currency\":\"EUR\"}}";
  }

  /** Registers a merchant (as the operator); returns its id. */
  String merchant(String name) {
    Http.Response m =
        http.post(
            "/v1/merchants",
            TestServer.ADMIN_TOKEN,
            "{\"name\":\"" + name + "\",\"category\":\"food\"}");
    assertThat(m.status()).as("%s", m).isEqualTo(201);
    return m.json().get("id").asText();
  }

  /** Saves a card for {@code person}; returns its id. */
  String card(String person, String number) {
    Http.Response r =
        http.post(
            "/v1/users/" + person + "/payment-methods",
            pay,
            "{\"type\":\"card\",\"card\":{\"number\":\""
                + number
                + "\",\"expMonth\":12,\"expYear\":2099,\"cvc\":\"123\",\"holderName\":\"Ana"
                + " Example\"}}");
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return r.json().get("id").asText();
  }

  Http.Response transfer(String body, String key) {
    return http.post("/v1/transfers", pay, body, "Idempotency-Key", key);
  }

  Http.Response topUp(String person, String body, String key) {
    return http.post("/v1/users/" + person + "/wallet/top-ups", pay, body, "Idempotency-Key", key);
  }

  Http.Response payOut(String person, String body, String key) {
    return http.post("/v1/users/" + person + "/wallet/pay-outs", pay, body, "Idempotency-Key", key);
  }

  /** {@code digits} with its Luhn check digit appended: a card number that passes the check. */
  public static String luhn(String digits) {
    try {
      return digits
          + org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit.LUHN_CHECK_DIGIT
              .calculate(digits);
    } catch (org.apache.commons.validator.routines.checkdigit.CheckDigitException e) {
      throw new IllegalStateException(e);
    }
  }
}
