package app.candor.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Registers each route with its {@link Op}, so the OpenAPI document lists exactly the routes. */
final class Api {

  /** A documented route. */
  record Route(HandlerType method, String path, Op op) {}

  private final RoutesConfig routes;
  private final String version;
  private final List<Route> documented = new java.util.concurrent.CopyOnWriteArrayList<>();

  Api(RoutesConfig routes, String version) {
    this.routes = routes;
    this.version = version;
  }

  /** The OpenAPI document of every route registered. */
  Map<String, Object> openApi() {
    return OpenApi.document(documented(), version);
  }

  void get(String path, Op.Builder op, Handler handler) {
    add(HandlerType.GET, path, op, handler);
    routes.get(path, handler);
  }

  void post(String path, Op.Builder op, Handler handler) {
    add(HandlerType.POST, path, op, handler);
    routes.post(path, handler);
  }

  void put(String path, Op.Builder op, Handler handler) {
    add(HandlerType.PUT, path, op, handler);
    routes.put(path, handler);
  }

  void patch(String path, Op.Builder op, Handler handler) {
    add(HandlerType.PATCH, path, op, handler);
    routes.patch(path, handler);
  }

  void delete(String path, Op.Builder op, Handler handler) {
    add(HandlerType.DELETE, path, op, handler);
    routes.delete(path, handler);
  }

  private void add(HandlerType method, String path, Op.Builder op, Handler handler) {
    documented.add(new Route(method, path, op.build()));
  }

  List<Route> documented() {
    return Collections.unmodifiableList(documented);
  }
}
