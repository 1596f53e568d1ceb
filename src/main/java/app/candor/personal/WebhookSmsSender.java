package app.candor.personal;

import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends codes by SMS through the operator's HTTP webhook ({@code CANDOR_SMS_WEBHOOK_URL}), which
 * hands them to an SMS provider. Each request is {@code POST} with the JSON body {@code {"to":
 * "+4915112345678", "body": "Your verification code is ..."}} and the header {@code
 * Candor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with
 * CANDOR_SMS_WEBHOOK_SECRET>}: the receiver recomputes the HMAC over the raw body, compares in
 * constant time, and refuses a timestamp more than a few minutes old, so a captured request cannot
 * be replayed later. Any 2xx answer is success.
 */
public final class WebhookSmsSender implements CodeSender {

  public static final String SIGNATURE_HEADER = "Candor-Signature";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final byte[] secret;
  private final Clock clock;
  private final HttpClient client;

  public WebhookSmsSender(String url, String secret, Clock clock) {
    try {
      this.url = URI.create(Objects.requireNonNull(url, "url"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "CANDOR_SMS_WEBHOOK_URL (" + Config.maskUrl(url) + ") is not a valid URL");
    }
    if (this.url.getHost() == null) {
      throw new ConfigException("CANDOR_SMS_WEBHOOK_URL names no host");
    }
    this.secret = Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public void send(String subjectId, String channel, String address, String code) {
    Map<String, String> payload = new LinkedHashMap<>();
    payload.put("to", address);
    payload.put("body", CodeSender.text(code));
    String body;
    try {
      body = Json.mapper().writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new DeliveryFailed("the SMS webhook body could not be written");
    }
    long t = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, "t=" + t + ",v1=" + signature(secret, t, body))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    int status;
    try {
      status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new DeliveryFailed(
          "the SMS webhook could not be reached (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryFailed("interrupted while calling the SMS webhook");
    }
    if (status < 200 || status > 299) {
      throw new DeliveryFailed("the SMS webhook answered HTTP " + status);
    }
  }

  /** The hex HMAC-SHA256 of {@code "<t>.<body>"} keyed with {@code secret}. */
  static String signature(byte[] secret, long t, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of()
          .formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** Where SMS go, for the start banner (no secret). */
  public String describe() {
    return "sms through the webhook at "
        + url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() > 0 ? ":" + url.getPort() : "");
  }
}
