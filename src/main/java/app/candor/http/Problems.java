package app.candor.http;

import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become responses: RFC 9457 {@code application/problem+json} with type,
 * title, status, detail, instance and, for invalid fields, an {@code errors} list. Unexpected
 * failures are logged with an incident id and no message text (which could hold personal data).
 */
final class Problems {
  static final String TYPE_BASE = "https://candor.dev/problems/";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  static void candor(CandorException e, Context ctx) {
    write(ctx, e.kind().status(), e.kind().slug(), e.kind().title(), e.getMessage(), e.errors());
    if (e.kind() == CandorException.Kind.TOO_MANY_REQUESTS) {
      ctx.header("Retry-After", "60");
    } else if (e.kind() == CandorException.Kind.UNAVAILABLE) {
      ctx.header("Retry-After", "1");
    }
  }

  static void javalin(HttpResponseException e, Context ctx) {
    int status = e.getStatus();
    if (status == 405) {
      methodNotAllowed(ctx);
      return;
    }
    CandorException.Kind kind =
        switch (status) {
          case 400 -> CandorException.Kind.INVALID;
          case 401 -> CandorException.Kind.UNAUTHENTICATED;
          case 403 -> CandorException.Kind.FORBIDDEN;
          case 404 -> CandorException.Kind.NOT_FOUND;
          case 409 -> CandorException.Kind.CONFLICT;
          case 413 -> CandorException.Kind.PAYLOAD_TOO_LARGE;
          case 415 -> CandorException.Kind.UNSUPPORTED_MEDIA_TYPE;
          case 429 -> CandorException.Kind.TOO_MANY_REQUESTS;
          default -> null;
        };
    String detail = status == 413 ? "the request body is larger than allowed" : e.getMessage();
    if (kind == null) {
      write(ctx, status, "http-" + status, "HTTP " + status, detail, List.of());
    } else {
      write(ctx, status, kind.slug(), kind.title(), detail, List.of());
    }
  }

  static void unexpected(Exception e, Context ctx) {
    String incident = UUID.randomUUID().toString();
    // The message may carry request content or bound SQL values: log the type and frames only.
    Exception masked = masked(e);
    LOG.error(
        "unexpected failure, incident {} on {} {}",
        incident,
        ctx.method(),
        ctx.endpoint() == null ? "?" : ctx.endpoint().path,
        masked);
    write(
        ctx,
        500,
        "internal",
        "Internal error",
        "something went wrong on our side; incident " + incident,
        List.of());
  }

  /** A copy of the exception chain with class names and stack frames, but no messages. */
  private static Exception masked(Throwable e) {
    Exception copy = new Exception(e.getClass().getName() + " (message withheld)");
    copy.setStackTrace(e.getStackTrace());
    if (e.getCause() != null && e.getCause() != e) {
      copy.initCause(masked(e.getCause()));
    }
    return copy;
  }

  static void notFoundRoute(Context ctx) {
    write(
        ctx,
        404,
        "not-found",
        "Not found",
        "no such route: " + ctx.method() + " " + ctx.path(),
        List.of());
  }

  static void methodNotAllowed(Context ctx) {
    write(
        ctx,
        405,
        "method-not-allowed",
        "Method not allowed",
        "the route exists but not with " + ctx.method(),
        List.of());
  }

  static void write(
      Context ctx,
      int status,
      String slug,
      String title,
      String detail,
      List<CandorException.FieldError> errors) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", TYPE_BASE + slug);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    if (!errors.isEmpty()) {
      body.put(
          "errors",
          errors.stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
    }
    try {
      ctx.status(status)
          .contentType("application/problem+json")
          .result(Json.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
