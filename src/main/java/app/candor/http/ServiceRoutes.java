package app.candor.http;

import app.candor.core.auth.ServiceRegistry;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.Validation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The app's services and their purpose-bound keys, for operators: register, list, rotate a key,
 * revoke.
 */
public record ServiceRoutes(ServiceRegistry registry) implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> service =
        Schemas.object(
            List.of("id", "name", "purposes"),
            "id",
            Schemas.string("service id"),
            "name",
            Schemas.string("unique name"),
            "purposes",
            Schemas.array(Schemas.string("purpose id")),
            "createdAt",
            Schemas.string("ISO-8601 instant"),
            "revokedAt",
            Schemas.string("ISO-8601 instant; present only once the service is revoked"),
            "apiKey",
            Schemas.string("the key, shown only once, at creation or rotation"));
    Map<String, Object> issued =
        Schemas.object(
            List.of("id", "name", "purposes", "apiKey"),
            "id",
            Schemas.string("service id"),
            "name",
            Schemas.string("unique name"),
            "purposes",
            Schemas.array(Schemas.string("purpose id")),
            "createdAt",
            Schemas.string("ISO-8601 instant"),
            "apiKey",
            Schemas.string("the new key, shown only once; the old one is refused at once"));
    Map<String, Object> revoked =
        Schemas.object(
            List.of("id", "name", "purposes", "revokedAt"),
            "id",
            Schemas.string("service id"),
            "name",
            Schemas.string("the name, never given to another service"),
            "purposes",
            Schemas.array(Schemas.string("purpose id")),
            "createdAt",
            Schemas.string("ISO-8601 instant"),
            "revokedAt",
            Schemas.string("ISO-8601 instant"));
    api.post(
        "/v1/services",
        Op.of("services", "Register a service and get its API key (shown once)")
            .callers("admin")
            .request(
                Schemas.object(
                    List.of("name", "purposes"),
                    "name",
                    Schemas.string("1-100 characters: letters, digits, . _ -"),
                    "purposes",
                    Schemas.array(Schemas.string("purpose the key may claim"))))
            .ok(201, "registered", service)
            .error(400, "invalid name or purposes")
            .error(401, "no or bad token")
            .error(403, "not an operator")
            .error(409, "the name is taken, also by a revoked service"),
        ctx -> {
          requests.requireAdmin(ctx);
          ObjectNode body = Requests.object(ctx);
          Validation v = new Validation();
          Requests.onlyFields(body, v, "name", "purposes");
          String name = Requests.requiredString(body, "name", v);
          if (!name.isEmpty() && !name.matches("[A-Za-z0-9._-]{1,100}")) {
            v.add("name", "1-100 characters: letters, digits, '.', '_' or '-'");
          }
          EnumSet<Purpose> purposes = EnumSet.noneOf(Purpose.class);
          JsonNode list = body.get("purposes");
          if (list == null || !list.isArray() || list.isEmpty()) {
            v.add("purposes", "a non-empty array of purposes, from " + Purpose.allIds());
          } else {
            for (int i = 0; i < list.size(); i++) {
              JsonNode p = list.get(i);
              if (!p.isTextual() || Purpose.byId(p.asText()).isEmpty()) {
                v.add("purposes[" + i + "]", "unknown purpose; use one of " + Purpose.allIds());
              } else {
                purposes.add(Purpose.byId(p.asText()).get());
              }
            }
          }
          v.throwIfInvalid();
          ctx.status(201).json(view(registry.register(name, purposes)));
        });
    api.get(
        "/v1/services",
        Op.of("services", "List the services, revoked ones marked with revokedAt (never keys)")
            .callers("admin")
            .ok(
                200,
                "the services, by name",
                Schemas.object(List.of("services"), "services", Schemas.array(service)))
            .error(401, "no or bad token")
            .error(403, "not an operator"),
        ctx -> {
          requests.requireAdmin(ctx);
          ctx.json(Map.of("services", registry.list().stream().map(ServiceRoutes::view).toList()));
        });
    api.post(
        "/v1/services/{id}/rotate-key",
        Op.of("services", "Give the service a new key; the old key is refused at once, everywhere")
            .callers("admin")
            .ok(200, "the new key (shown once)", issued)
            .error(401, "no or bad token")
            .error(403, "not an operator")
            .error(404, "no such service")
            .error(409, "the service is revoked"),
        ctx -> {
          requests.requireAdmin(ctx);
          ctx.json(view(registry.rotateKey(Requests.id(ctx, "service"))));
        });
    api.delete(
        "/v1/services/{id}",
        Op.of("services", "Revoke the service: its key is refused at once, everywhere, for good")
            .callers("admin")
            .ok(200, "revoked; still listed, with revokedAt; its name is never reused", revoked)
            .error(401, "no or bad token")
            .error(403, "not an operator")
            .error(404, "no such service")
            .error(409, "revoked already"),
        ctx -> {
          requests.requireAdmin(ctx);
          ctx.json(view(registry.revoke(Requests.id(ctx, "service"))));
        });
  }

  private static Map<String, Object> view(ServiceRegistry.Registered s) {
    Map<String, Object> out =
        Maps.of(
            "id", s.id(),
            "name", s.name(),
            "purposes", s.purposes().stream().map(Purpose::id).sorted().toList(),
            "createdAt", s.createdAt());
    s.revokedAt().ifPresent(at -> out.put("revokedAt", at));
    s.apiKey().ifPresent(k -> out.put("apiKey", k));
    return out;
  }
}
