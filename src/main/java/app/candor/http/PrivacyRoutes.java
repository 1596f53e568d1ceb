package app.candor.http;

import app.candor.core.audit.AccessLog;
import app.candor.core.auth.Caller;
import app.candor.privacy.PrivacyService;
import app.candor.privacy.Transparency;
import java.util.List;
import java.util.Map;

/** What is held about a person, the export, erasure, the access log, and transparency. */
final class PrivacyRoutes {
  private PrivacyRoutes() {}

  static void register(
      Api api,
      Requests requests,
      PrivacyService privacy,
      AccessLog accessLog,
      Transparency transparency) {
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
        ctx -> ctx.json(privacy.report(requests.signedIn(ctx), Requests.id(ctx))));
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
          byte[] zip = privacy.export(requests.signedIn(ctx), id);
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
            .error(404, "no such person"),
        ctx -> ctx.json(privacy.erase(requests.signedIn(ctx), Requests.id(ctx))));
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
                            Schemas.array(Schemas.string("field read"))))))
            .error(401, "no or bad token")
            .error(403, "services cannot read access logs")
            .error(404, "no such person"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          privacy.authorize(caller, id);
          ctx.json(
              Map.of(
                  "entries",
                  accessLog.entries(id).stream()
                      .map(
                          e ->
                              Maps.of(
                                  "at", e.at(),
                                  "service", e.caller(),
                                  "purpose", e.purpose(),
                                  "fields", e.fields()))
                      .toList()));
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
}
