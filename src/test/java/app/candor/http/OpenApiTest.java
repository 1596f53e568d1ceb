package app.candor.http;

import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /openapi.json} describes exactly the API the server runs, and describes it truly. */
class OpenApiTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final String PROBLEM = "#/components/schemas/Problem";
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  @TempDir Path dir;

  private static Set<String> documented(JsonNode doc) {
    Set<String> out = new TreeSet<>();
    doc.get("paths")
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(m -> out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
    return out;
  }

  @Test
  void the_document_lists_exactly_the_routes_the_server_registered() {
    try (TestServer server = TestServer.sqlite(dir)) {
      Javalin app = HttpServer.create(server.candor().edge(), server.candor().routes());
      List<String> registered = new ArrayList<>();
      HttpServer.registeredRoutes(app)
          .forEach(e -> registered.add(e.getKey() + " " + e.getValue()));
      assertThat(registered).doesNotHaveDuplicates().isNotEmpty();

      JsonNode doc = server.http().get("/openapi.json", null).json();
      assertThat(documented(doc)).isEqualTo(new TreeSet<>(registered));
      // And the contract's routes are all there.
      assertThat(registered)
          .contains(
              "GET /health/live",
              "GET /health/ready",
              "GET /metrics",
              "GET /openapi.json",
              "POST /v1/services",
              "POST /v1/users",
              "GET /v1/users/{id}",
              "PATCH /v1/users/{id}",
              "DELETE /v1/users/{id}",
              "POST /v1/auth/otp",
              "POST /v1/auth/otp/verify",
              "GET /v1/admin/outbox",
              "POST /v1/auth/logout",
              "GET /v1/services",
              "POST /v1/services/{id}/rotate-key",
              "DELETE /v1/services/{id}",
              "GET /v1/users/{id}/consents",
              "PUT /v1/users/{id}/consents/{purpose}",
              "GET /v1/users/{id}/consents/history",
              "GET /v1/users/{id}/data",
              "GET /v1/users/{id}/export",
              "GET /v1/users/{id}/access-log",
              "GET /v1/transparency",
              "GET /transparency",
              "POST /v1/events",
              "POST /v1/locations",
              "GET /v1/analytics/active-users",
              "GET /v1/analytics/sessions",
              "GET /v1/analytics/features",
              "GET /v1/analytics/retention",
              "POST /v1/places",
              "GET /v1/places/nearby");
    }
  }

  @Test
  void every_operation_documents_its_responses_and_errors_are_problems() {
    try (TestServer server = TestServer.sqlite(dir)) {
      JsonNode doc = server.http().get("/openapi.json", null).json();
      assertThat(doc.get("openapi").asText()).startsWith("3.");
      assertThat(doc.at("/info/title").asText()).isNotBlank();
      assertThat(doc.at("/info/version").asText()).isNotBlank();
      JsonNode problem = doc.at("/components/schemas/Problem");
      assertThat(problem.get("required"))
          .extracting(JsonNode::asText)
          .contains("type", "title", "status", "detail");
      assertThat(problem.at("/properties/errors/type").asText()).isEqualTo("array");
      assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");

      doc.get("paths")
          .properties()
          .forEach(
              path -> {
                List<String> params = new ArrayList<>();
                Matcher m = PARAM.matcher(path.getKey());
                while (m.find()) {
                  params.add(m.group(1));
                }
                path.getValue()
                    .properties()
                    .forEach(
                        op -> {
                          String name = op.getKey() + " " + path.getKey();
                          JsonNode operation = op.getValue();
                          assertThat(operation.path("summary").asText()).as(name).isNotBlank();
                          JsonNode responses = operation.path("responses");
                          assertThat(responses.size()).as("responses of %s", name).isPositive();
                          List<String> codes = new ArrayList<>();
                          responses.fieldNames().forEachRemaining(codes::add);
                          assertThat(codes)
                              .as("a success response for %s", name)
                              .anyMatch(c -> c.startsWith("2"));
                          responses
                              .properties()
                              .forEach(
                                  r -> {
                                    assertThat(r.getValue().path("description").asText())
                                        .as("%s %s", name, r.getKey())
                                        .isNotBlank();
                                    if (r.getKey().equals("default")
                                        || r.getKey().startsWith("4")
                                        || r.getKey().startsWith("5")) {
                                      assertThat(
                                              r.getValue()
                                                  .at(
                                                      "/content/application~1problem+json/schema/$ref")
                                                  .asText())
                                          .as(
                                              "%s %s refers to the Problem schema",
                                              name, r.getKey())
                                          .isEqualTo(PROBLEM);
                                    }
                                  });
                          List<String> declared = new ArrayList<>();
                          operation
                              .path("parameters")
                              .forEach(
                                  p -> {
                                    if (p.get("in").asText().equals("path")) {
                                      declared.add(p.get("name").asText());
                                    }
                                  });
                          assertThat(declared).as("path parameters of %s", name).isEqualTo(params);
                          if (operation.has("requestBody")) {
                            // JSON, or raw bytes of listed types (an upload).
                            JsonNode content = operation.at("/requestBody/content");
                            assertThat(content.size()).as("request types of %s", name).isPositive();
                            content
                                .properties()
                                .forEach(
                                    c ->
                                        assertThat(
                                                c.getKey().equals("application/json")
                                                    ? c.getValue().path("schema").isObject()
                                                    : c.getValue()
                                                        .at("/schema/format")
                                                        .asText()
                                                        .equals("binary"))
                                            .as("request schema of %s for %s", name, c.getKey())
                                            .isTrue());
                          }
                        });
              });
      // Every reference leads somewhere.
      List<String> refs = new ArrayList<>();
      collectRefs(doc, refs);
      assertThat(refs).isNotEmpty();
      for (String ref : refs) {
        assertThat(ref).startsWith("#/");
        assertThat(doc.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
      }
    }
  }

  @Test
  void the_sign_in_routes_document_the_503_they_answer_when_no_sender_is_configured() {
    Config config =
        TestDatabases.config(TestDatabases.SQLITE, dir)
            .withDelivery(
                new Config.Delivery(
                    Optional.empty(),
                    "no-reply@candor.test",
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of("none")));
    try (TestServer server = TestServer.of(Candor.open(config))) {
      Http http = server.http();
      JsonNode paths = http.get("/openapi.json", null).json().get("paths");
      assertThat(paths.has("/v1/admin/outbox")).as("no outbox under serve").isFalse();
      Map<String, Http.Response> calls = new LinkedHashMap<>();
      calls.put(
          "/v1/auth/otp",
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}"));
      calls.put(
          "/v1/auth/otp/verify",
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(Map.of("verificationId", UUID.randomUUID().toString(), "code", "123456"))));
      calls.forEach(
          (path, r) -> {
            assertThat(r.status()).as("%s answered %s", path, r).isEqualTo(503);
            JsonNode documented =
                paths.at("/" + path.replace("/", "~1") + "/post/responses/503/description");
            assertThat(documented.asText()).as("%s documents 503", path).isNotBlank();
          });
    }
  }

  @Test
  void each_operation_answers_with_the_status_and_shape_it_documents() {
    try (TestServer server = TestServer.sqlite(dir)) {
      Http http = server.http();
      JsonNode doc = http.get("/openapi.json", null).json();
      Map<String, Http.Response> calls = new LinkedHashMap<>();

      calls.put("GET /health/live", http.get("/health/live", null));
      calls.put("GET /health/ready", http.get("/health/ready", null));
      calls.put("GET /metrics", http.get("/metrics", null));
      calls.put("GET /openapi.json", http.get("/openapi.json", null));
      calls.put("GET /v1/transparency", http.get("/v1/transparency", null));
      calls.put("GET /transparency", http.get("/transparency", null));
      Http.Response service =
          http.post("/v1/services", ADMIN, "{\"name\":\"chat\",\"purposes\":[\"account\"]}");
      calls.put("POST /v1/services", service);
      String key = service.json().path("apiKey").asText();
      calls.put("GET /v1/services", http.get("/v1/services", ADMIN));
      Http.Response created =
          http.post(
              "/v1/users",
              key,
              "{\"name\":\"Ana\",\"phone\":\"+4915112345678\",\"email\":\"ana@example.org\"}");
      calls.put("POST /v1/users", created);
      String id = created.json().path("id").asText();
      Http.Response otp =
          http.post("/v1/auth/otp", null, "{\"channel\":\"sms\",\"to\":\"+4915112345678\"}");
      calls.put("POST /v1/auth/otp", otp);
      calls.put("GET /v1/admin/outbox", http.get("/v1/admin/outbox", ADMIN));
      Http.Response verified =
          http.post(
              "/v1/auth/otp/verify",
              null,
              json(
                  Map.of(
                      "verificationId",
                      otp.json().path("verificationId").asText(),
                      "code",
                      server.latestCode("+4915112345678"))));
      calls.put("POST /v1/auth/otp/verify", verified);
      String token = verified.json().path("token").asText();
      String person = "/v1/users/" + id;
      calls.put("GET /v1/users/{id}", http.get(person, key, "Candor-Purpose", "account"));
      calls.put("PATCH /v1/users/{id}", http.patch(person, token, "{\"occupation\":\"chef\"}"));
      calls.put(
          "PUT /v1/users/{id}/consents/{purpose}",
          http.put(
              person + "/consents/location",
              token,
              "{\"granted\":true,\"level\":\"approximate\"}"));
      calls.put("GET /v1/users/{id}/consents", http.get(person + "/consents", token));
      calls.put(
          "GET /v1/users/{id}/consents/history", http.get(person + "/consents/history", token));
      calls.put("GET /v1/users/{id}/data", http.get(person + "/data", token));
      calls.put("GET /v1/users/{id}/export", http.get(person + "/export", token));
      calls.put("GET /v1/users/{id}/access-log", http.get(person + "/access-log", token));
      calls.put(
          "POST /v1/users/{id}/locations",
          http.post(
              person + "/locations",
              token,
              json(
                  Map.of(
                      "lat", 48.8566,
                      "lon", 2.3522,
                      "timestamp", java.time.Instant.now().toString()))));
      calls.put(
          "GET /v1/users/{id}/nearby/people",
          http.get(person + "/nearby/people?radiusKm=5&limit=20", token));
      calls.put(
          "GET /v1/users/{id}/nearby/friends",
          http.get(person + "/nearby/friends?radiusKm=5&limit=20", token));
      String mapsKey = server.service("openapi-maps", "location");
      calls.put(
          "POST /v1/locations",
          http.post(
              "/v1/locations",
              mapsKey,
              json(
                  Map.of(
                      "batch",
                      List.of(
                          Map.of(
                              "userId",
                              id,
                              "lat",
                              48.8566,
                              "lon",
                              2.3522,
                              "timestamp",
                              java.time.Instant.now().toString()))))));
      // A second and a third sign-in: one session ended by the person, one signed out.
      String second = server.signIn("sms", "+4915112345678");
      Http.Response sessions = http.get(person + "/sessions", token);
      calls.put("GET /v1/users/{id}/sessions", sessions);
      String secondId = "";
      for (JsonNode s : http.get(person + "/sessions", second).json().get("sessions")) {
        if (s.get("current").asBoolean()) {
          secondId = s.get("sessionId").asText();
        }
      }
      calls.put(
          "DELETE /v1/users/{id}/sessions/{sessionId}",
          http.delete(person + "/sessions/" + secondId, token));
      String third = server.signIn("sms", "+4915112345678");
      calls.put("POST /v1/auth/logout", http.send("POST", "/v1/auth/logout", third, null));
      calls.put("DELETE /v1/users/{id}", http.delete(person, token));
      String spare = server.service("openapi-spare", "account");
      assertThat(spare).isNotBlank();
      String spareId = server.candor().services().byName("openapi-spare").orElseThrow().id();
      calls.put(
          "POST /v1/services/{id}/rotate-key",
          http.send("POST", "/v1/services/" + spareId + "/rotate-key", ADMIN, null));
      calls.put("DELETE /v1/services/{id}", http.delete("/v1/services/" + spareId, ADMIN));
      String analyticsKey = server.service("openapi-events", "analytics");
      calls.put(
          "POST /v1/events",
          http.post(
              "/v1/events",
              analyticsKey,
              json(
                  Map.of(
                      "batch",
                      List.of(
                          Map.of(
                              "messageId", "openapi-1",
                              "userId", UUID.randomUUID().toString(),
                              "type", "track",
                              "name", "open_chat",
                              "timestamp", java.time.Instant.now().toString()))))));
      calls.put(
          "GET /v1/analytics/active-users",
          http.get("/v1/analytics/active-users?window=week", ADMIN));
      calls.put("GET /v1/analytics/sessions", http.get("/v1/analytics/sessions", ADMIN));
      calls.put("GET /v1/analytics/features", http.get("/v1/analytics/features?limit=5", ADMIN));
      calls.put("GET /v1/analytics/retention", http.get("/v1/analytics/retention", ADMIN));
      calls.put(
          "POST /v1/places",
          http.post(
              "/v1/places",
              ADMIN,
              "{\"places\":[{\"name\":\"Cafe\",\"category\":\"cafe\",\"lat\":48.85,\"lon\":2.35}]}"));
      calls.put("GET /v1/places/nearby", http.get("/v1/places/nearby?lat=48.85&lon=2.35", ADMIN));

      // Payments: a second person pays a third, by wallet, with holds captured and voided.
      String pay = server.service("openapi-pay", "payments", "safety");
      String payer = "/v1/users/" + server.person(key);
      String payee = server.person(key);
      String cardBody =
          "{\"type\":\"card\",\"card\":{\"number\":\"%s\",\"expMonth\":12,\"expYear\":2099,"
              + "\"cvc\":\"123\",\"holderName\":\"Ana\"}}";
      Http.Response method =
          http.post(payer + "/payment-methods", pay, String.format(cardBody, "4242424242424242"));
      calls.put("POST /v1/users/{id}/payment-methods", method);
      String pm = method.json().path("id").asText();
      calls.put("GET /v1/users/{id}/payment-methods", http.get(payer + "/payment-methods", pay));
      String spareCard =
          http.post(payer + "/payment-methods", pay, String.format(cardBody, "5555555555554444"))
              .json()
              .path("id")
              .asText();
      calls.put(
          "DELETE /v1/users/{id}/payment-methods/{pmId}",
          http.delete(payer + "/payment-methods/" + spareCard, pay));
      calls.put(
          "POST /v1/merchants",
          http.post("/v1/merchants", ADMIN, "{\"name\":\"Cafe\",\"category\":\"food\"}"));
      String money = "\"amount\":{\"amount\":%d,\"currency\":\"EUR\"}";
      calls.put(
          "POST /v1/users/{id}/wallet/top-ups",
          http.post(
              payer + "/wallet/top-ups",
              pay,
              "{\"paymentMethodId\":\"" + pm + "\"," + String.format(money, 5000) + "}",
              "Idempotency-Key",
              "openapi-1"));
      calls.put("GET /v1/users/{id}/wallet", http.get(payer + "/wallet", pay));
      String hold =
          "{\"from\":\""
              + payer.substring("/v1/users/".length())
              + "\",\"to\":{\"userId\":\""
              + payee
              + "\"},"
              + String.format(money, 1000)
              + ",\"source\":\"wallet\",\"hold\":{\"timeoutSeconds\":600}}";
      Http.Response held = http.post("/v1/transfers", pay, hold, "Idempotency-Key", "openapi-2");
      calls.put("POST /v1/transfers", held);
      String transfer = "/v1/transfers/" + held.json().path("id").asText();
      calls.put("GET /v1/transfers/{id}", http.get(transfer, pay));
      calls.put(
          "POST /v1/transfers/{id}/capture",
          http.post(transfer + "/capture", pay, "{\"amount\":500}"));
      String voided =
          "/v1/transfers/"
              + http.post("/v1/transfers", pay, hold, "Idempotency-Key", "openapi-3")
                  .json()
                  .path("id")
                  .asText();
      calls.put("POST /v1/transfers/{id}/void", http.post(voided + "/void", pay, null));
      calls.put(
          "POST /v1/transfers/{id}/fraud-report",
          http.post(transfer + "/fraud-report", ADMIN, null));
      calls.put(
          "POST /v1/users/{id}/wallet/pay-outs",
          http.post(
              payer + "/wallet/pay-outs",
              pay,
              "{\"paymentMethodId\":\"" + pm + "\"," + String.format(money, 100) + "}",
              "Idempotency-Key",
              "openapi-4"));
      calls.put("GET /v1/users/{id}/transactions", http.get(payer + "/transactions?limit=5", pay));

      // Communication: a group, a message, a report, the member's view, a call, the queue.
      String chat = server.service("openapi-chat", "messaging", "safety");
      String ana = server.person(key);
      String bo = server.person(key);
      Http.Response group =
          http.post(
              "/v1/conversations",
              chat,
              json(Map.of("type", "group", "members", List.of(ana, bo), "title", "Lunch")));
      calls.put("POST /v1/conversations", group);
      String conversation = "/v1/conversations/" + group.json().path("id").asText();
      Http.Response sent =
          http.post(
              conversation + "/messages",
              chat,
              json(Map.of("from", ana, "clientMessageId", "c1", "kind", "text", "text", "noon?")));
      calls.put("POST /v1/conversations/{id}/messages", sent);
      calls.put(
          "GET /v1/conversations/{id}/messages",
          http.get(conversation + "/messages?userId=" + bo + "&limit=10", chat));
      calls.put(
          "POST /v1/messages/{id}/report",
          http.post(
              "/v1/messages/" + sent.json().path("id").asText() + "/report",
              chat,
              json(Map.of("by", bo, "reason", "spam"))));
      calls.put(
          "POST /v1/calls",
          http.post(
              "/v1/calls",
              chat,
              json(
                  Map.of(
                      "from",
                      ana,
                      "to",
                      List.of(bo),
                      "kind",
                      "video",
                      "startedAt",
                      "2026-01-01T10:00:00Z",
                      "endedAt",
                      "2026-01-01T10:05:00Z",
                      "outcome",
                      "answered"))));
      calls.put(
          "POST /v1/spam/classify",
          http.post("/v1/spam/classify", chat, json(Map.of("text", "lunch at noon?"))));
      calls.put("GET /v1/admin/spam-queue", http.get("/v1/admin/spam-queue", ADMIN));
      String mediaKey =
          http.post("/v1/services", ADMIN, "{\"name\":\"media\",\"purposes\":[\"messaging\"]}")
              .json()
              .path("apiKey")
              .asText();
      Http.Response media =
          http.send(
              "POST",
              "/v1/media",
              mediaKey,
              "a picture, as far as this test cares",
              "Content-Type",
              "image/png",
              "Candor-Owner",
              payee);
      assertThat(media.status()).as("%s", media).isEqualTo(201);
      calls.put("POST /v1/media", media);
      calls.put(
          "GET /v1/media/{id}",
          http.get("/v1/media/" + media.json().path("id").asText() + "?userId=" + payee, mediaKey));

      // Contacts: Ana's address book with Bo's email in it, read back, withdrawn.
      String book = "/v1/users/" + ana + "/contacts";
      calls.put(
          "PUT /v1/users/{id}/contacts",
          http.put(
              book,
              chat,
              json(
                  Map.of("contacts", List.of(Map.of("email", "ana2@example.org", "name", "Bo"))))));
      calls.put("GET /v1/users/{id}/contacts", http.get(book, chat));
      calls.put("DELETE /v1/users/{id}/contacts", http.delete(book, chat));

      assertThat(calls.keySet()).containsExactlyInAnyOrderElementsOf(documented(doc));
      calls.forEach(
          (operation, r) -> {
            String[] parts = operation.split(" ", 2);
            JsonNode responses =
                doc.get("paths")
                    .get(parts[1])
                    .get(parts[0].toLowerCase(Locale.ROOT))
                    .get("responses");
            String status = Integer.toString(r.status());
            assertThat(responses.has(status))
                .as("%s answered %s, which it documents", operation, r)
                .isTrue();
            JsonNode schema = responses.get(status).at("/content/application~1json/schema");
            if (!schema.isMissingNode()) {
              assertThat(r.header("Content-Type")).as(operation).startsWith("application/json");
              conforms(doc, r.json(), schema, operation);
            }
          });
    }
  }

  /** A light check of {@code value} against {@code schema}: types, required properties, items. */
  private static void conforms(JsonNode doc, JsonNode value, JsonNode schema, String where) {
    if (schema.has("$ref")) {
      conforms(doc, value, doc.at(schema.get("$ref").asText().substring(1)), where);
      return;
    }
    JsonNode type = schema.get("type");
    if (type == null) {
      return;
    }
    List<String> types = new ArrayList<>();
    if (type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    } else {
      types.add(type.asText());
    }
    if (value.isNull()) {
      assertThat(types).as("%s may be null", where).contains("null");
      return;
    }
    if (types.contains("object")) {
      assertThat(value.isObject()).as("%s is an object: %s", where, value).isTrue();
      for (JsonNode required : schema.path("required")) {
        assertThat(value.has(required.asText()))
            .as("%s has %s: %s", where, required.asText(), value)
            .isTrue();
      }
      schema
          .path("properties")
          .properties()
          .forEach(
              p -> {
                if (value.has(p.getKey())) {
                  conforms(doc, value.get(p.getKey()), p.getValue(), where + "." + p.getKey());
                }
              });
    } else if (types.contains("array")) {
      assertThat(value.isArray()).as("%s is an array: %s", where, value).isTrue();
      for (int i = 0; i < value.size(); i++) {
        conforms(doc, value.get(i), schema.path("items"), where + "[" + i + "]");
      }
    } else if (types.contains("string")) {
      assertThat(value.isTextual()).as("%s is a string: %s", where, value).isTrue();
    } else if (types.contains("boolean")) {
      assertThat(value.isBoolean()).as("%s is a boolean: %s", where, value).isTrue();
    } else if (types.contains("integer")) {
      assertThat(value.isIntegralNumber()).as("%s is an integer: %s", where, value).isTrue();
    }
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("$ref")) {
                  out.add(e.getValue().asText());
                } else {
                  collectRefs(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}
