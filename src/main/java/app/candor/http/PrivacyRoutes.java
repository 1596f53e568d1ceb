package app.candor.http;

import app.candor.core.access.PurposeGate;
import app.candor.core.audit.AccessLog;
import app.candor.privacy.PrivacyService;
import app.candor.privacy.Transparency;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What is held about a person, the export, erasure, the access log, and transparency. */
public record PrivacyRoutes(PurposeGate gate, PrivacyService privacy, Transparency transparency)
    implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    api.get(
        "/v1/users/{id}/data",
        Op.of("privacy", "Everything held about the person, by category, with why and how long")
            .callers("the user", "admin")
            .ok(
                200,
                "the report",
                Schemas.object(
                    List.of("userId", "generatedAt", "categories"),
                    "userId",
                    Schemas.string("person id"),
                    "generatedAt",
                    Schemas.string("ISO-8601 instant"),
                    "categories",
                    Schemas.array(Schemas.ref("CategoryReport"))))
            .error(401, "no or bad token")
            .error(403, "services cannot make privacy requests")
            .error(404, "no such person"),
        ctx ->
            ctx.json(
                gate.read(
                    requests.signedIn(ctx),
                    Requests.id(ctx),
                    Optional.empty(),
                    PrivacyService.REPORT,
                    privacy::report)));
    api.get(
        "/v1/users/{id}/export",
        Op.of("privacy", "A ZIP: one JSON file per category, CSV tables, a README")
            .callers("the user", "admin")
            .ok(200, "application/zip")
            .error(401, "no or bad token")
            .error(403, "services cannot make privacy requests")
            .error(404, "no such person"),
        ctx -> {
          String id = Requests.id(ctx);
          byte[] zip =
              gate.read(
                  requests.signedIn(ctx),
                  id,
                  Optional.empty(),
                  PrivacyService.REPORT,
                  privacy::export);
          ctx.contentType("application/zip")
              .header(
                  "Content-Disposition", "attachment; filename=\"candor-export-" + id + ".zip\"")
              .result(zip);
        });
    api.delete(
        "/v1/users/{id}",
        Op.of("privacy", "Erase the person: key shredded, rows deleted, a receipt kept")
            .callers("the user", "admin")
            .ok(
                200,
                "erased",
                Schemas.object(
                    List.of("userId", "erasedAt", "erased"),
                    "userId",
                    Schemas.string("person id"),
                    "erasedAt",
                    Schemas.string("ISO-8601 instant"),
                    "erased",
                    Schemas.any("records erased per category id")))
            .error(401, "no or bad token")
            .error(403, "services cannot erase people")
            .error(404, "no such person")
            .error(409, "the wallet still holds money or a pending hold: pay it out first"),
        ctx ->
            ctx.json(
                privacy.erase(
                    gate.change(
                        requests.signedIn(ctx), Requests.id(ctx), PrivacyService.ERASURE))));
    api.get(
        "/v1/users/{id}/access-log",
        Op.of("privacy", "Every read of the person's data by services and operators")
            .callers("the user", "admin")
            .ok(
                200,
                "the entries, oldest first",
                Schemas.object(
                    List.of("entries"),
                    "entries",
                    Schemas.array(
                        Schemas.object(
                            List.of("at", "service", "purpose", "fields"),
                            "at",
                            Schemas.string("ISO-8601 instant"),
                            "service",
                            Schemas.string("service:<name> or admin"),
                            "purpose",
                            Schemas.string("the purpose claimed"),
                            "fields",
                            Schemas.array(Schemas.string("field read")),
                            "reads",
                            Schemas.integer("how many reads the entry stands for (1 for one read)"),
                            "day",
                            Schemas.string(
                                "for reads counted per day (being shown to people nearby):"
                                    + " the UTC day, YYYY-MM-DD"),
                            "summary",
                            Schemas.string("the entry in words")))))
            .error(401, "no or bad token")
            .error(403, "services cannot read access logs")
            .error(404, "no such person"),
        ctx -> {
          List<AccessLog.Entry> entries =
              gate.read(
                  requests.signedIn(ctx),
                  Requests.id(ctx),
                  Optional.empty(),
                  PrivacyService.ACCESS_LOG,
                  gate::accessLog);
          ctx.json(Map.of("entries", entries.stream().map(PrivacyRoutes::view).toList()));
        });
    api.get(
        "/v1/transparency",
        Op.of(
                "transparency",
                "What data this app collects, generated from the live catalog; the counts are"
                    + " taken every minute (countsAt)")
            .ok(200, "categories, fields, purposes, counts", Schemas.ref("Transparency")),
        // Rendered at each count: a public request copies bytes and reads no table.
        ctx -> ctx.contentType("application/json").result(transparency.json()));
    api.get(
        "/transparency",
        Op.of("transparency", "The same as an HTML page").ok(200, "text/html"),
        ctx -> ctx.html(transparency.html()));
  }

  private static Map<String, Object> view(AccessLog.Entry e) {
    Map<String, Object> out =
        Maps.of(
            "at", e.at(),
            "service", e.caller(),
            "purpose", e.purpose(),
            "fields", e.fields(),
            "reads", e.reads());
    e.day().ifPresent(d -> out.put("day", d.toString()));
    out.put(
        "summary",
        e.day()
            .map(
                d ->
                    "shown "
                        + e.reads()
                        + (e.reads() == 1 ? " time" : " times")
                        + (e.purpose().equals("messaging")
                            ? " to people who have your phone or email in their contacts on "
                            : " to people nearby on ")
                        + d
                        + ", by "
                        + e.caller())
            .orElse("read by " + e.caller() + " for " + e.purpose()));
    return out;
  }
}
