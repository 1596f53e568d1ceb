package app.candor.http;

import app.candor.core.store.Database;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;

/** Health, metrics and the API description. */
public record OpsRoutes(Database db, PrometheusMeterRegistry metrics) implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    api.get(
        "/health/live",
        Op.of("operations", "Liveness: the process is up")
            .ok(200, "alive", Schemas.object(List.of("status"), "status", Schemas.string("up"))),
        ctx -> ctx.json(Map.of("status", "up")));
    api.get(
        "/health/ready",
        Op.of("operations", "Readiness: the database answers")
            .ok(200, "ready", Schemas.object(List.of("status"), "status", Schemas.string("ready")))
            .error(503, "the database does not answer"),
        ctx -> {
          if (db.ready()) {
            ctx.json(Map.of("status", "ready", "database", db.dialect().name().toLowerCase()));
          } else {
            Problems.write(
                ctx,
                503,
                "unavailable",
                "Service unavailable",
                "the database does not answer",
                List.of());
          }
        });
    api.get(
        "/metrics",
        Op.of("operations", "Prometheus metrics (text format)").ok(200, "metrics in text format"),
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    api.get(
        "/openapi.json",
        Op.of("operations", "This API, as OpenAPI 3.1").ok(200, "the OpenAPI document"),
        ctx -> ctx.json(api.openApi()));
  }
}
