package app.candor.http;

import app.candor.core.access.Access;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.auth.UserTokens;
import app.candor.core.errors.CandorException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ending sign-in sessions: a person signs out, and sees and ends their sessions (an operator may
 * too). A session ends in the database, so it is refused on every node from the next request.
 */
public record SessionRoutes(PurposeGate gate, UserTokens tokens) implements HttpServer.Module {

  /** A person's sessions: the person, or an operator on their behalf (logged). */
  static final Access SESSIONS =
      Access.privacyRequest("sign-in sessions", "personal.signInSessions");

  @Override
  public void register(Api api, Requests requests) {
    api.post(
        "/v1/auth/logout",
        Op.of("sign-in", "Sign out: the user token presented is refused from now on, everywhere")
            .callers("the user")
            .ok(204, "signed out")
            .error(401, "no, bad or expired token")
            .error(403, "not a user token (services' keys are rotated or revoked by operators)"),
        ctx -> {
          if (!(requests.signedIn(ctx) instanceof Caller.User)) {
            throw CandorException.forbidden(
                "only a person's sign-in token can be signed out; an operator rotates or revokes"
                    + " a service's key");
          }
          tokens.end(Requests.bearer(ctx).orElseThrow());
          ctx.status(204);
        });
    api.get(
        "/v1/users/{id}/sessions",
        Op.of("privacy", "The person's sign-in sessions (never their tokens)")
            .callers("the user", "admin")
            .ok(
                200,
                "the sessions, oldest first; expired ones until the clean-up deletes them",
                Schemas.object(
                    List.of("sessions"),
                    "sessions",
                    Schemas.array(
                        Schemas.object(
                            List.of("sessionId", "createdAt", "expiresAt", "current"),
                            "sessionId",
                            Schemas.string("opaque id, to end the session with"),
                            "createdAt",
                            Schemas.string("ISO-8601 instant"),
                            "expiresAt",
                            Schemas.string("ISO-8601 instant"),
                            "current",
                            Schemas.bool("the session of the token making this request")))))
            .error(401, "no or bad token")
            .error(403, "services cannot make privacy requests")
            .error(404, "no such person"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          List<UserTokens.Session> held =
              gate.read(caller, id, Optional.empty(), SESSIONS, gate::sessions);
          Optional<String> current =
              caller instanceof Caller.User
                  ? tokens.sessionOf(Requests.bearer(ctx).orElseThrow())
                  : Optional.empty();
          List<Map<String, Object>> sessions =
              held.stream()
                  .map(
                      s ->
                          Maps.of(
                              "sessionId", s.sessionId(),
                              "createdAt", s.createdAt(),
                              "expiresAt", s.expiresAt(),
                              "current", current.filter(s.sessionId()::equals).isPresent()))
                  .toList();
          ctx.json(Map.of("sessions", sessions));
        });
    api.delete(
        "/v1/users/{id}/sessions/{sessionId}",
        Op.of("privacy", "End one of the person's sessions: its token is refused from now on")
            .callers("the user", "admin")
            .ok(204, "ended")
            .error(401, "no or bad token")
            .error(403, "services cannot make privacy requests")
            .error(404, "no such person, or no such session of theirs"),
        ctx -> {
          var grant = gate.change(requests.signedIn(ctx), Requests.id(ctx), SESSIONS);
          String id = grant.subjectId();
          String sessionId = ctx.pathParam("sessionId");
          if (!UserTokens.isSessionId(sessionId) || !tokens.end(id, sessionId)) {
            throw CandorException.notFound("session");
          }
          gate.changed(grant);
          ctx.status(204);
        });
  }
}
