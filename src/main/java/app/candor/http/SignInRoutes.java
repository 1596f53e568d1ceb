package app.candor.http;

import app.candor.core.errors.Validation;
import app.candor.personal.OutboxSender;
import app.candor.personal.SignIn;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sign-in by one-time code and, only when Candor runs with the demo outbox, the operators' view of
 * it: under {@code serve} that route is not registered at all (404), so no code is readable by
 * anyone but its recipient.
 */
public record SignInRoutes(SignIn signIn, Optional<OutboxSender> outbox)
    implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    api.post(
        "/v1/auth/otp",
        Op.of("sign-in", "Send a one-time code (the answer is the same for unknown addresses)")
            .request(
                Schemas.object(
                    List.of("channel", "to"),
                    "channel",
                    Schemas.string("sms or email"),
                    "to",
                    Schemas.string("E.164 phone for sms, email address for email")))
            .ok(
                202,
                "a code was sent if the address is registered",
                Schemas.object(
                    List.of("verificationId", "expiresAt"),
                    "verificationId",
                    Schemas.string("pass it to /v1/auth/otp/verify"),
                    "expiresAt",
                    Schemas.string("ISO-8601 instant")))
            .error(400, "bad channel or address")
            .error(429, "too many codes for this address or client")
            .error(
                503,
                "no sender for this channel is configured, or sign-in is switched off"
                    + " (CANDOR_CODE_SENDER=none); the detail names the variable to set"),
        ctx -> {
          ObjectNode body = Requests.object(ctx);
          Validation v = new Validation();
          Requests.onlyFields(body, v, "channel", "to");
          String channel = Requests.requiredString(body, "channel", v);
          String to = Requests.requiredString(body, "to", v);
          if (!channel.isEmpty() && !channel.equals("sms") && !channel.equals("email")) {
            v.add("channel", "must be 'sms' or 'email'");
          }
          v.throwIfInvalid();
          SignIn.Started started = signIn.start(channel, to, ctx.ip());
          ctx.status(202)
              .json(
                  Map.of(
                      "verificationId", started.verificationId(),
                      "expiresAt", started.expiresAt()));
        });
    api.post(
        "/v1/auth/otp/verify",
        Op.of("sign-in", "Check a code; returns a user token and marks the address verified")
            .request(
                Schemas.object(
                    List.of("verificationId", "code"),
                    "verificationId",
                    Schemas.string("from /v1/auth/otp"),
                    "code",
                    Schemas.string("the 6 digits received")))
            .ok(
                200,
                "signed in",
                Schemas.object(
                    List.of("userId", "token", "expiresAt"),
                    "userId",
                    Schemas.string("person id"),
                    "token",
                    Schemas.string("bearer token for the person"),
                    "expiresAt",
                    Schemas.string("ISO-8601 instant")))
            .error(400, "missing or malformed fields")
            .error(401, "wrong, expired or used code")
            .error(429, "too many attempts")
            .error(503, "sign-in is switched off on this server (CANDOR_CODE_SENDER=none)"),
        ctx -> {
          ObjectNode body = Requests.object(ctx);
          Validation v = new Validation();
          Requests.onlyFields(body, v, "verificationId", "code");
          String id = Requests.requiredString(body, "verificationId", v);
          String code = Requests.requiredString(body, "code", v);
          v.throwIfInvalid();
          SignIn.Verified ok = signIn.verify(id, code);
          ctx.json(Map.of("userId", ok.userId(), "token", ok.token(), "expiresAt", ok.expiresAt()));
        });
    outbox.ifPresent(box -> registerOutbox(api, requests, box));
  }

  private static void registerOutbox(Api api, Requests requests, OutboxSender outbox) {
    api.get(
        "/v1/admin/outbox",
        Op.of(
                "operations",
                "Codes kept by the demo's outbox instead of being sent, newest first (only under"
                    + " candor demo)")
            .callers("admin")
            .ok(
                200,
                "the outbox",
                Schemas.object(
                    List.of("messages"),
                    "messages",
                    Schemas.array(
                        Schemas.object(
                            List.of("channel", "to", "body", "sentAt"),
                            "channel",
                            Schemas.string("sms or email"),
                            "to",
                            Schemas.string("address"),
                            "body",
                            Schemas.string("message text"),
                            "sentAt",
                            Schemas.string("ISO-8601 instant")))))
            .error(401, "no or bad token")
            .error(403, "not an operator"),
        ctx -> {
          requests.requireAdmin(ctx);
          ctx.json(Map.of("messages", outbox.messages()));
        });
  }
}
