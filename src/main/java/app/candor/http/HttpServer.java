package app.candor.http;

import app.candor.core.auth.Authenticator;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: builds the Javalin app from route modules. The composition root hands each module
 * (a record of the services its routes use) to {@link #create}; tests call it too, so they run the
 * real routes.
 */
public final class HttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  /** A group of routes and the services they use. */
  public interface Module {
    void register(Api api, Requests requests);

    /**
     * Paths whose request bodies may exceed the edge's limit, with their own limit: routes that
     * stream their body instead of reading it whole (uploads). None by default.
     */
    default Map<String, Long> largeBodies() {
      return Map.of();
    }
  }

  /**
   * What every route shares: who the caller is, the metrics, the body limit, the version.
   *
   * @param maxBodyBytes request bodies above this size get 413
   */
  public record Edge(
      Authenticator authenticator,
      PrometheusMeterRegistry metrics,
      long maxBodyBytes,
      String version) {}

  /** The configured, not yet started, Javalin app serving {@code modules}. */
  public static Javalin create(Edge edge, List<Module> modules) {
    Requests requests = new Requests(edge.authenticator());
    long maxBody = edge.maxBodyBytes();
    Map<String, Long> largeBodies = new java.util.HashMap<>();
    modules.forEach(m -> largeBodies.putAll(m.largeBodies()));
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          config.jsonMapper(new JavalinJackson(Json.mapper(), false));
          config.http.maxRequestSize = maxBody;
          config.http.prefer405over404 = true;
          config.jetty.modifyServer(
              server -> {
                server.setStopTimeout(10_000);
                server.setHandler(new GracefulHandler());
                server.setErrorHandler(new ProblemErrorHandler());
              });
          config.requestLogger.http(
              (ctx, ms) -> {
                String route = ctx.endpoint() == null ? "unmatched" : ctx.endpoint().path;
                int status = ctx.status().getCode();
                Timer.builder("http.server.requests")
                    .tag("method", ctx.method().name())
                    .tag("route", route)
                    .tag("status", Integer.toString(status))
                    .register(edge.metrics())
                    .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
                // The route template, never the concrete path or query: no ids or data in logs.
                LOG.info("{} {} {} {}ms", ctx.method(), route, status, Math.round(ms));
              });
          config.routes.before(
              ctx -> {
                long length = ctx.contentLength();
                long limit = largeBodies.getOrDefault(ctx.path(), maxBody);
                if (length > limit) {
                  discard(ctx, length, maxBody);
                  throw new CandorException(
                      CandorException.Kind.PAYLOAD_TOO_LARGE,
                      "the request body is " + length + " bytes; the limit is " + limit);
                }
              });
          config.routes.exception(CandorException.class, Problems::candor);
          config.routes.exception(HttpResponseException.class, Problems::javalin);
          config.routes.exception(Exception.class, Problems::unexpected);
          config.routes.error(
              404,
              ctx -> {
                if (!isProblem(ctx)) {
                  Problems.notFoundRoute(ctx);
                }
              });
          config.routes.error(
              405,
              ctx -> {
                if (!isProblem(ctx)) {
                  Problems.methodNotAllowed(ctx);
                }
              });

          Api api = new Api(config.routes, edge.version());
          modules.forEach(m -> m.register(api, requests));
        });
  }

  /**
   * The routes of an app built by {@link #create}, as (method, path) pairs; before and after
   * handlers are not routes.
   */
  public static List<Map.Entry<String, String>> registeredRoutes(Javalin app) {
    return app.unsafe.internalRouter.allHttpHandlers().stream()
        .filter(e -> e.endpoint.method.isHttpMethod())
        .map(e -> Map.entry(e.endpoint.method.name(), e.endpoint.path))
        .toList();
  }

  /**
   * Reads and drops an oversized body the client is still sending, so it receives the 413 instead
   * of a connection reset; beyond 16 times the edge's limit the connection is simply closed.
   */
  private static void discard(io.javalin.http.Context ctx, long length, long maxBody) {
    if (length > 16 * maxBody) {
      return;
    }
    try {
      ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    } catch (java.io.IOException e) {
      // The client went away; nothing to answer.
    }
  }

  private static boolean isProblem(io.javalin.http.Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith("application/problem+json");
  }
}
