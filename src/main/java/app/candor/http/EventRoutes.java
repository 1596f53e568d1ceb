package app.candor.http;

import app.candor.usage.UsageService;
import java.util.List;

/** Usage event ingestion. */
public record EventRoutes(UsageService usage, io.micrometer.core.instrument.MeterRegistry metrics)
    implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    var accepted = metrics.counter("candor.usage.events", "outcome", "accepted");
    var duplicates = metrics.counter("candor.usage.events", "outcome", "duplicate");
    var dropped = metrics.counter("candor.usage.events", "outcome", "dropped_no_consent");
    var rejected = metrics.counter("candor.usage.events", "outcome", "rejected");
    metrics.gauge("candor.usage.backlog", usage, UsageService::backlog);
    metrics.gauge("candor.usage.rollup.lag", usage, UsageService::rollUpLag);
    metrics.gauge("candor.usage.dedupe.window.seconds", usage, UsageService::dedupeWindowSeconds);
    api.post(
        "/v1/events",
        Op.of("usage", "Send a batch of usage events (committed when the answer is 200)")
            .callers("service with analytics")
            .request(
                Schemas.object(
                    List.of("batch"),
                    "batch",
                    Schemas.array(
                        Schemas.object(
                            List.of("messageId", "userId", "type", "timestamp"),
                            "messageId",
                            Schemas.string(
                                "the client's id; a retry within the dedupe window (7 days,"
                                    + " less at rates past CANDOR_USAGE_DEDUPE_MAX_IDS ids; see"
                                    + " candor_usage_dedupe_window_seconds) is stored once"),
                            "userId",
                            Schemas.string("person id"),
                            "type",
                            Schemas.string("track | screen | session_start | session_end"),
                            "name",
                            Schemas.string("feature or screen; required for track and screen"),
                            "timestamp",
                            Schemas.string(
                                "ISO-8601 with offset; not >10 min ahead, not older than retention"),
                            "properties",
                            Schemas.any("free-form object, stored encrypted"),
                            "context",
                            Schemas.any(
                                "device, os, appVersion, locale (strings), stored encrypted")))))
            .ok(
                200,
                "per-event outcome; accepted events are durably stored",
                Schemas.object(
                    List.of("accepted", "duplicates", "droppedNoConsent", "rejected"),
                    "accepted",
                    Schemas.integer("events stored"),
                    "duplicates",
                    Schemas.integer("events already stored (same userId and messageId)"),
                    "droppedNoConsent",
                    Schemas.integer(
                        "events of unknown people or people without analytics consent, not stored"),
                    "rejected",
                    Schemas.rejected()))
            .error(400, "the body is not {batch:[...]}")
            .error(401, "no or bad token")
            .error(403, "the key lacks the analytics purpose")
            .error(413, "more than 1,000 events or 500 KB")
            .error(503, "the writer is behind; retry after Retry-After seconds"),
        ctx -> {
          var caller = requests.signedIn(ctx);
          Requests.requireJson(ctx);
          UsageService.Outcome outcome = usage.ingest(caller, ctx.bodyAsBytes());
          accepted.increment(outcome.accepted());
          duplicates.increment(outcome.duplicates());
          dropped.increment(outcome.droppedNoConsent());
          rejected.increment(outcome.rejected().size());
          ctx.json(outcome);
        });
  }
}
