package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route, called by every kind of caller, answers with the status the access rules give. One
 * server per database serves the whole matrix; destructive calls work on people made for them.
 */
class AuthMatrixTest {

  /** The kinds of caller. */
  enum Who {
    NOBODY("nobody"),
    BAD_TOKEN("a bad token"),
    ADMIN("the admin"),
    SERVICE_WITH_PURPOSE("a service with the purpose"),
    SERVICE_WITHOUT_PURPOSE("a service without it"),
    THE_USER("the user themself"),
    ANOTHER_USER("another user");

    private final String words;

    Who(String words) {
      this.words = words;
    }

    @Override
    public String toString() {
      return words;
    }
  }

  /** Whose resources a person route is called on. */
  enum Target {
    NONE(""),
    EXISTING("an existing person"),
    UNKNOWN("an unknown person");

    private final String words;

    Target(String words) {
      this.words = words;
    }

    @Override
    public String toString() {
      return words;
    }
  }

  /**
   * A route to call: method, path template, how to build the body for a caller, extra headers, and
   * the status expected for each {@link Who}, in declaration order.
   */
  record Route(
      String method,
      String template,
      @Nullable String note,
      BiFunction<World, Who, @Nullable String> body,
      List<String> headers,
      int[] expected) {

    boolean personal() {
      return template.startsWith("/v1/users/{id}");
    }

    /** Routes on one service: each case gets a fresh service, since they rotate or revoke it. */
    boolean onService() {
      return template.startsWith("/v1/services/{id}");
    }

    /** Routes that end the caller's own token: each user case signs in afresh. */
    boolean endsToken() {
      return template.equals("/v1/auth/logout");
    }

    int expected(Who who, Target target) {
      int status = expected[who.ordinal()];
      // An unknown person looks like one the caller may not see; the earlier checks still apply.
      // To a signed-in person, someone else's id is such a person, whatever they may do with
      // their own.
      if (target == Target.UNKNOWN && who == Who.THE_USER) {
        return 404;
      }
      return target == Target.UNKNOWN && status < 300 ? 404 : status;
    }

    @Override
    public String toString() {
      return method + " " + template + (note == null ? "" : " (" + note + ")");
    }
  }

  private static final List<Route> ROUTES =
      List.of(
          open("GET", "/health/live", 200),
          open("GET", "/health/ready", 200),
          open("GET", "/metrics", 200),
          open("GET", "/openapi.json", 200),
          open("GET", "/v1/transparency", 200),
          open("GET", "/transparency", 200),
          new Route(
              "POST",
              "/v1/auth/otp",
              "an unknown address",
              (w, who) ->
                  json(Map.of("channel", "email", "to", w.unique("matrix") + "@example.org")),
              List.of(),
              all(202)),
          new Route(
              "POST",
              "/v1/auth/otp/verify",
              "an unknown verification",
              (w, who) ->
                  json(Map.of("verificationId", UUID.randomUUID().toString(), "code", "123456")),
              List.of(),
              all(401)),
          new Route(
              "POST",
              "/v1/services",
              null,
              (w, who) -> json(Map.of("name", w.unique("svc"), "purposes", List.of("analytics"))),
              List.of(),
              statuses(401, 401, 201, 403, 403, 403, 403)),
          route("GET", "/v1/services", null, statuses(401, 401, 200, 403, 403, 403, 403)),
          route(
              "POST",
              "/v1/services/{id}/rotate-key",
              "a fresh service",
              statuses(401, 401, 200, 403, 403, 403, 403)),
          route(
              "DELETE",
              "/v1/services/{id}",
              "a fresh service",
              statuses(401, 401, 200, 403, 403, 403, 403)),
          // Signing out needs a person's token; the users sign in afresh for it.
          route("POST", "/v1/auth/logout", null, statuses(401, 401, 403, 403, 403, 204, 204)),
          route("GET", "/v1/admin/outbox", null, statuses(401, 401, 200, 403, 403, 403, 403)),
          new Route(
              "POST",
              "/v1/users",
              null,
              (w, who) -> w.newPersonBody(),
              List.of(),
              statuses(401, 401, 201, 201, 403, 403, 403)),
          new Route(
              "GET",
              "/v1/users/{id}",
              "Candor-Purpose: account",
              (w, who) -> null,
              List.of("Candor-Purpose", "account"),
              statuses(401, 401, 200, 200, 403, 200, 404)),
          route(
              "GET",
              "/v1/users/{id}",
              "no Candor-Purpose",
              statuses(401, 401, 400, 400, 400, 200, 404)),
          new Route(
              "PATCH",
              "/v1/users/{id}",
              null,
              (w, who) -> "{\"occupation\":\"chef\"}",
              List.of(),
              statuses(401, 401, 200, 200, 403, 200, 404)),
          route(
              "GET", "/v1/users/{id}/consents", null, statuses(401, 401, 200, 200, 403, 200, 404)),
          route(
              "GET",
              "/v1/users/{id}/consents/history",
              null,
              statuses(401, 401, 200, 200, 403, 200, 404)),
          new Route(
              "PUT",
              "/v1/users/{id}/consents/{purpose}",
              "analytics",
              (w, who) -> "{\"granted\":true}",
              List.of(),
              statuses(401, 401, 403, 200, 403, 200, 404)),
          route("GET", "/v1/users/{id}/data", null, statuses(401, 401, 200, 403, 403, 200, 404)),
          route("GET", "/v1/users/{id}/export", null, statuses(401, 401, 200, 403, 403, 200, 404)),
          route(
              "GET",
              "/v1/users/{id}/access-log",
              null,
              statuses(401, 401, 200, 403, 403, 200, 404)),
          route("DELETE", "/v1/users/{id}", null, statuses(401, 401, 200, 403, 403, 200, 404)),
          route(
              "GET", "/v1/users/{id}/sessions", null, statuses(401, 401, 200, 403, 403, 200, 404)),
          // On a fresh person, signed in, ending their one session.
          route(
              "DELETE",
              "/v1/users/{id}/sessions/{sessionId}",
              null,
              statuses(401, 401, 204, 403, 403, 204, 404)),
          // Events: only a service whose key holds analytics may send them (the person has not
          // consented, so the event is counted as dropped, but the call itself is allowed).
          new Route(
              "POST",
              "/v1/events",
              null,
              (w, who) ->
                  json(
                      Map.of(
                          "batch",
                          List.of(
                              Map.of(
                                  "messageId",
                                  w.unique("evt"),
                                  "userId",
                                  w.subject,
                                  "type",
                                  "track",
                                  "name",
                                  "open_chat",
                                  "timestamp",
                                  java.time.Instant.now().toString())))),
              List.of(),
              statuses(401, 401, 403, 403, 200, 403, 403)),
          // Analytics: the "service without" (account, messaging, safety) is refused, and the
          // other service, whose key holds only analytics, is let in.
          route(
              "GET",
              "/v1/analytics/active-users",
              null,
              statuses(401, 401, 200, 403, 200, 403, 403)),
          route("GET", "/v1/analytics/sessions", null, statuses(401, 401, 200, 403, 200, 403, 403)),
          route("GET", "/v1/analytics/features", null, statuses(401, 401, 200, 403, 200, 403, 403)),
          route(
              "GET", "/v1/analytics/retention", null, statuses(401, 401, 200, 403, 200, 403, 403)),
          // Location: neither service holds location or nearby_discovery, operators may not send
          // positions or ask who is nearby, and the person has granted neither location nor
          // nearby_discovery (403: only those visible to people nearby may see them).
          new Route(
              "POST",
              "/v1/users/{id}/locations",
              null,
              (w, who) ->
                  json(
                      Map.of(
                          "lat",
                          48.85,
                          "lon",
                          2.35,
                          "timestamp",
                          java.time.Instant.now().toString())),
              List.of(),
              statuses(401, 401, 403, 403, 403, 403, 404)),
          // Many people's updates: for services with location alone (neither service holds it).
          new Route(
              "POST",
              "/v1/locations",
              null,
              (w, who) ->
                  json(
                      Map.of(
                          "batch",
                          List.of(
                              Map.of(
                                  "userId",
                                  w.subject,
                                  "lat",
                                  48.85,
                                  "lon",
                                  2.35,
                                  "timestamp",
                                  java.time.Instant.now().toString())))),
              List.of(),
              statuses(401, 401, 403, 403, 403, 403, 403)),
          route(
              "GET",
              "/v1/users/{id}/nearby/people",
              null,
              statuses(401, 401, 403, 403, 403, 403, 404)),
          route(
              "GET",
              "/v1/users/{id}/nearby/friends",
              null,
              statuses(401, 401, 403, 403, 403, 403, 404)),
          // Places are not personal data: operators and services with location import them
          // (neither service here holds location)...
          new Route(
              "POST",
              "/v1/places",
              null,
              (w, who) ->
                  json(
                      Map.of(
                          "places",
                          List.of(
                              Map.of(
                                  "name", "Matrix Cafe", "category", "cafe", "lat", 1, "lon", 1)))),
              List.of(),
              statuses(401, 401, 201, 403, 403, 403, 403)),
          // Payments: neither service holds payments, and operators move no one's money. The
          // person saves a card (201), reads their wallet, methods and history (200); top-ups,
          // pay-outs and transfers with an unknown method or recipient are 400 past the gate.
          new Route(
              "POST",
              "/v1/users/{id}/payment-methods",
              null,
              (w, who) -> w.cardBody(),
              List.of(),
              statuses(401, 401, 403, 403, 403, 201, 404)),
          route(
              "GET",
              "/v1/users/{id}/payment-methods",
              null,
              statuses(401, 401, 403, 403, 403, 200, 404)),
          route(
              "DELETE",
              "/v1/users/{id}/payment-methods/{pmId}",
              "an unknown method",
              statuses(401, 401, 403, 403, 403, 404, 404)),
          route("GET", "/v1/users/{id}/wallet", null, statuses(401, 401, 403, 403, 403, 200, 404)),
          new Route(
              "POST",
              "/v1/users/{id}/wallet/top-ups",
              "an unknown method",
              (w, who) -> walletMove(),
              List.of("Idempotency-Key", "matrix-top-up"),
              statuses(401, 401, 403, 403, 403, 400, 404)),
          new Route(
              "POST",
              "/v1/users/{id}/wallet/pay-outs",
              "an unknown method",
              (w, who) -> walletMove(),
              List.of("Idempotency-Key", "matrix-pay-out"),
              statuses(401, 401, 403, 403, 403, 400, 404)),
          route(
              "GET",
              "/v1/users/{id}/transactions",
              null,
              statuses(401, 401, 403, 403, 403, 200, 404)),
          new Route(
              "POST",
              "/v1/merchants",
              null,
              (w, who) -> json(Map.of("name", "Matrix Shop", "category", "food")),
              List.of(),
              statuses(401, 401, 201, 403, 403, 403, 403)),
          new Route(
              "POST",
              "/v1/transfers",
              "from the person, to an unknown recipient",
              (w, who) ->
                  json(
                      Map.of(
                          "from",
                          w.subject,
                          "to",
                          Map.of("userId", UUID.randomUUID().toString()),
                          "amount",
                          Map.of("amount", 100, "currency", "EUR"),
                          "source",
                          "wallet")),
              List.of("Idempotency-Key", "matrix-transfer"),
              statuses(401, 401, 403, 403, 403, 400, 404)),
          route("GET", "/v1/transfers/{id}", "an unknown transfer", all404()),
          route("POST", "/v1/transfers/{id}/capture", "an unknown transfer", all404()),
          route("POST", "/v1/transfers/{id}/void", "an unknown transfer", all404()),
          route(
              "POST",
              "/v1/transfers/{id}/fraud-report",
              "an unknown transfer",
              statuses(401, 401, 404, 404, 404, 403, 403)),
          // Communication: services act for members; the service with the purpose gets past the
          // gate to a 400 (an unknown person) or a 404 (an unknown conversation or message).
          new Route(
              "POST",
              "/v1/conversations",
              "with an unknown member",
              (w, who) ->
                  json(
                      Map.of(
                          "type",
                          "group",
                          "members",
                          List.of(w.subject, UUID.randomUUID().toString()))),
              List.of(),
              statuses(401, 401, 403, 400, 403, 403, 403)),
          new Route(
              "POST",
              "/v1/conversations/{id}/messages",
              "an unknown conversation",
              (w, who) ->
                  json(
                      Map.of(
                          "from",
                          w.subject,
                          "clientMessageId",
                          "matrix-1",
                          "kind",
                          "text",
                          "text",
                          "hello")),
              List.of(),
              statuses(401, 401, 403, 404, 403, 403, 403)),
          route(
              "GET",
              "/v1/conversations/{id}/messages",
              "an unknown conversation, no userId",
              statuses(401, 401, 400, 400, 400, 404, 404)),
          new Route(
              "POST",
              "/v1/messages/{id}/report",
              "an unknown message",
              (w, who) -> json(Map.of("by", w.subject, "reason", "spam")),
              List.of(),
              all404()),
          new Route(
              "POST",
              "/v1/calls",
              "to an unknown person",
              (w, who) ->
                  json(
                      Map.of(
                          "from",
                          w.subject,
                          "to",
                          List.of(UUID.randomUUID().toString()),
                          "kind",
                          "voice",
                          "startedAt",
                          "2026-01-01T10:00:00Z",
                          "outcome",
                          "missed")),
              List.of(),
              statuses(401, 401, 403, 400, 403, 403, 403)),
          new Route(
              "POST",
              "/v1/spam/classify",
              null,
              (w, who) -> json(Map.of("text", "see you at lunch tomorrow")),
              List.of(),
              statuses(401, 401, 403, 200, 403, 403, 403)),
          route("GET", "/v1/admin/spam-queue", null, statuses(401, 401, 200, 403, 403, 403, 403)),
          // Media: a file for an owner no one knows is refused at the gate (operators store no
          // one's files); a download without userId is a 400 to anyone signed in.
          new Route(
              "POST",
              "/v1/media",
              "for an unknown owner",
              (w, who) -> "matrix bytes",
              List.of(
                  "Content-Type",
                  "image/png",
                  "Candor-Owner",
                  "00000000-0000-4000-8000-000000000000"),
              statuses(401, 401, 403, 404, 403, 404, 404)),
          route("GET", "/v1/media/{id}", "no userId", statuses(401, 401, 400, 400, 400, 400, 400)),
          // Contacts: the person, or a service with messaging; operators hold no address books.
          new Route(
              "PUT",
              "/v1/users/{id}/contacts",
              null,
              (w, who) ->
                  json(Map.of("contacts", List.of(Map.of("email", "matrix-contact@example.net")))),
              List.of(),
              statuses(401, 401, 403, 200, 403, 200, 404)),
          route(
              "GET", "/v1/users/{id}/contacts", null, statuses(401, 401, 403, 200, 403, 200, 404)),
          route(
              "DELETE",
              "/v1/users/{id}/contacts",
              null,
              statuses(401, 401, 403, 204, 403, 204, 404)),
          // ...and anyone signed in searches them (no lat and lon here: past the sign-in, a 400).
          route(
              "GET",
              "/v1/places/nearby",
              "no lat and lon",
              statuses(401, 401, 400, 400, 400, 400, 400)));

  /**
   * The routes whose 200 to a service or an operator returns a person's data, with the purpose the
   * access-log entry must name (operators' privacy requests are logged as privacy_request). Every
   * such answer leaves exactly one entry; every other call, none.
   */
  private static final Map<String, Map<Who, String>> LOGGED =
      Map.of(
          "GET /v1/users/{id} (Candor-Purpose: account)",
          Map.of(Who.ADMIN, "account", Who.SERVICE_WITH_PURPOSE, "account"),
          "PATCH /v1/users/{id}",
          Map.of(Who.ADMIN, "account", Who.SERVICE_WITH_PURPOSE, "account"),
          "GET /v1/users/{id}/consents",
          Map.of(Who.ADMIN, "account", Who.SERVICE_WITH_PURPOSE, "account"),
          "GET /v1/users/{id}/consents/history",
          Map.of(Who.ADMIN, "account", Who.SERVICE_WITH_PURPOSE, "account"),
          "GET /v1/users/{id}/data",
          Map.of(Who.ADMIN, "privacy_request"),
          "GET /v1/users/{id}/export",
          Map.of(Who.ADMIN, "privacy_request"),
          "GET /v1/users/{id}/access-log",
          Map.of(Who.ADMIN, "privacy_request"),
          "GET /v1/users/{id}/sessions",
          Map.of(Who.ADMIN, "privacy_request"),
          "DELETE /v1/users/{id}/sessions/{sessionId}",
          Map.of(Who.ADMIN, "privacy_request"));

  /** The same, for the contact list: a service's upload, read and withdrawal. */
  private static final Map<String, Map<Who, String>> CONTACTS_LOGGED =
      Map.of(
          "PUT /v1/users/{id}/contacts",
          Map.of(Who.SERVICE_WITH_PURPOSE, "messaging"),
          "GET /v1/users/{id}/contacts",
          Map.of(Who.SERVICE_WITH_PURPOSE, "messaging"),
          "DELETE /v1/users/{id}/contacts",
          Map.of(Who.SERVICE_WITH_PURPOSE, "messaging"));

  private static Route open(String method, String path, int status) {
    return route(method, path, null, all(status));
  }

  private static Route route(String method, String path, @Nullable String note, int[] expected) {
    return new Route(method, path, note, (w, who) -> null, List.of(), expected);
  }

  private static String walletMove() {
    return json(
        Map.of(
            "paymentMethodId",
            "pm_00000000000000000000000000000000",
            "amount",
            Map.of("amount", 100, "currency", "EUR")));
  }

  /** Signed in or not: 401 without a valid token, 404 for every caller with one. */
  private static int[] all404() {
    return statuses(401, 401, 404, 404, 404, 404, 404);
  }

  private static int[] all(int status) {
    int[] out = new int[Who.values().length];
    java.util.Arrays.fill(out, status);
    return out;
  }

  private static int[] statuses(int... byWho) {
    assertThat(byWho).hasSize(Who.values().length);
    return byWho;
  }

  /** One running server with the callers and people the matrix needs. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final String withPurpose;
    final String withoutPurpose;
    final String subject;
    final String subjectToken;
    final String otherToken;
    final JsonNode openApi;
    private int counter;

    World(TestServer server) {
      this.server = server;
      this.withPurpose = server.service("with-purpose", "account", "messaging", "safety");
      this.withoutPurpose = server.service("without-purpose", "analytics");
      this.subject = server.person(withPurpose);
      String other = server.person(withPurpose);
      assertThat(other).isNotEqualTo(subject);
      // TestServer.person numbers people from 1: these are their phones.
      this.subjectToken = server.signIn("sms", "+4915199000001");
      this.otherToken = server.signIn("sms", "+4915199000002");
      this.openApi = server.http().get("/openapi.json", null).json();
    }

    /** A service made for one case, to be rotated or revoked: its id. */
    String freshService() {
      String name = unique("matrix-svc");
      server.service(name, "analytics");
      return server.candor().services().byName(name).orElseThrow().id();
    }

    /** The id of the person's first session (they must have one). */
    String sessionOf(String personId) {
      return server.candor().userTokens().sessions(personId).get(0).sessionId();
    }

    /** A card no one saved yet: a fresh Luhn-valid number each call. */
    synchronized String cardBody() {
      String number =
          app.candor.payment.PaymentClient.luhn(
              String.format(Locale.ROOT, "4%014d", 100_000_000L + (++counter)));
      return json(
          Map.of(
              "type",
              "card",
              "card",
              Map.of(
                  "number",
                  number,
                  "expMonth",
                  12,
                  "expYear",
                  2099,
                  "cvc",
                  "123",
                  "holderName",
                  "Matrix Person")));
    }

    synchronized String unique(String prefix) {
      return prefix + "-" + (++counter);
    }

    synchronized String newPersonBody() {
      int n = ++counter;
      return json(
          Map.of(
              "name",
              "Matrix Person " + n,
              "phone",
              String.format(Locale.ROOT, "+4915177%06d", n),
              "email",
              "matrix" + n + "@example.org"));
    }

    /** A fresh person to be erased, and their token when they are the caller. */
    String[] fresh(boolean signIn) {
      String body = newPersonBody();
      String id = server.personFrom(withPurpose, body);
      String email = HttpTesting.jsonField(body, "email");
      return new String[] {id, signIn ? server.signIn("email", email) : "not-signed-in"};
    }

    /** The person's access-log rows (caller, purpose, fields, row id), read from the database. */
    List<List<String>> accessLog(String subjectId) {
      return server
          .candor()
          .database()
          .<List<List<String>>, RuntimeException>withHandle(
              h ->
                  h.createQuery(
                          "SELECT caller, purpose, fields, id FROM access_log WHERE subject_id = :s"
                              + " UNION ALL SELECT caller, purpose, fields,"
                              + " CAST(day AS TEXT) || ':' || CAST(reads AS TEXT)"
                              + " FROM access_log_daily WHERE subject_id = :s")
                      .bind("s", subjectId)
                      .map(
                          (rs, ctx) ->
                              List.of(
                                  rs.getString(1),
                                  rs.getString(2),
                                  rs.getString(3),
                                  rs.getString(4)))
                      .list());
    }

    @Nullable String token(Who who, String selfToken) {
      switch (who) {
        case NOBODY:
          return null;
        case BAD_TOKEN:
          return "cu_not-a-token-anyone-was-given";
        case ADMIN:
          return TestServer.ADMIN_TOKEN;
        case SERVICE_WITH_PURPOSE:
          return withPurpose;
        case SERVICE_WITHOUT_PURPOSE:
          return withoutPurpose;
        case THE_USER:
          return selfToken;
        case ANOTHER_USER:
          return otherToken;
        default:
          throw new IllegalArgumentException(who.name());
      }
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @TempDir static Path dir;
  private static final PerDatabase<World> WORLDS =
      new PerDatabase<>(k -> new World(TestServer.start(k, dir.resolve(k))));

  private static World world(String kind) {
    return WORLDS.get(kind);
  }

  @AfterAll
  static void closeWorlds() throws Exception {
    WORLDS.closeAll();
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String kind : TestDatabases.kinds()) {
      for (Route route : ROUTES) {
        List<Target> targets =
            route.personal() ? List.of(Target.EXISTING, Target.UNKNOWN) : List.of(Target.NONE);
        for (Target target : targets) {
          for (Who who : Who.values()) {
            out.add(Arguments.of(kind, route, target, who, route.expected(who, target)));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{0}] {1} on {2} as {3} -> {4}")
  @MethodSource("cases")
  void every_route_answers_each_kind_of_caller_as_the_rules_say(
      String kind, Route route, Target target, Who who, int expected) {
    World world = world(kind);
    String id = world.subject;
    String selfToken = world.subjectToken;
    String sessionId = UUID.randomUUID().toString().replace("-", "");
    boolean endsSession = route.template().contains("{sessionId}");
    if (target == Target.UNKNOWN) {
      id = UUID.randomUUID().toString();
    } else if (target == Target.EXISTING && route.method().equals("DELETE")) {
      String[] fresh = world.fresh(who == Who.THE_USER || endsSession);
      id = fresh[0];
      selfToken = fresh[1];
      if (endsSession) {
        sessionId = world.sessionOf(id);
      }
    } else if (route.onService()) {
      id = world.freshService();
    }
    String token = world.token(who, selfToken);
    if (route.endsToken() && (who == Who.THE_USER || who == Who.ANOTHER_USER)) {
      token = world.fresh(true)[1];
    }
    String path =
        route
            .template()
            .replace("{id}", id)
            .replace("{purpose}", "analytics")
            .replace("{sessionId}", sessionId)
            .replace("{pmId}", "pm_00000000000000000000000000000000");
    List<List<String>> logBefore = world.accessLog(id);
    Http.Response r =
        world
            .server
            .http()
            .send(
                route.method(),
                path,
                token,
                route.body().apply(world, who),
                route.headers().toArray(new String[0]));

    assertThat(r.status()).as("%s %s as %s: %s", route.method(), path, who, r).isEqualTo(expected);
    if (expected >= 400) {
      assertProblem(r, expected);
    }
    // Every answer with a person's data to a service or an operator left exactly one entry in
    // their access log, naming the caller, the purpose and the fields; every other call none.
    List<List<String>> added = new ArrayList<>(world.accessLog(id));
    added.removeAll(logBefore);
    String purpose =
        LOGGED
            .getOrDefault(
                route.toString(), CONTACTS_LOGGED.getOrDefault(route.toString(), Map.of()))
            .get(who);
    if (purpose != null && expected < 300 && target == Target.EXISTING) {
      String caller =
          who == Who.ADMIN
              ? "admin"
              : who == Who.SERVICE_WITH_PURPOSE
                  ? "service:with-purpose"
                  : "service:without-purpose";
      assertThat(added).as("entries written by %s", route).hasSize(1);
      assertThat(added.get(0).subList(0, 2)).containsExactly(caller, purpose);
      assertThat(added.get(0).get(2)).as("the fields read").isNotBlank();
    } else {
      assertThat(added).as("entries written by %s as %s", route, who).isEmpty();
    }
    // What the server does, its API description says.
    JsonNode responses =
        world
            .openApi
            .path("paths")
            .path(route.template())
            .path(route.method().toLowerCase(Locale.ROOT))
            .path("responses");
    assertThat(responses.has(Integer.toString(expected)))
        .as("openapi.json documents %d for %s", expected, route)
        .isTrue();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void the_matrix_covers_every_route_the_server_documents(String kind) {
    Set<String> documented = new TreeSet<>();
    world(kind)
        .openApi
        .get("paths")
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
    Set<String> walked = new TreeSet<>();
    ROUTES.forEach(r -> walked.add(r.method() + " " + r.template()));
    assertThat(walked).isEqualTo(documented);
  }
}
