package app.candor.testing;

import app.candor.core.json.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A small HTTP client for tests: real requests over a real socket. */
public final class Http {

  /** A response with convenient accessors. */
  public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text(), e);
      }
    }

    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse("");
    }

    @Override
    public String toString() {
      return status + " " + text();
    }
  }

  private final String base;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public Http(String base) {
    this.base = base;
  }

  public Response get(String path, @Nullable String token, String... headers) {
    return send("GET", path, token, null, headers);
  }

  public Response delete(String path, @Nullable String token, String... headers) {
    return send("DELETE", path, token, null, headers);
  }

  public Response post(String path, @Nullable String token, String json, String... headers) {
    return send("POST", path, token, json, headers);
  }

  public Response put(String path, @Nullable String token, String json, String... headers) {
    return send("PUT", path, token, json, headers);
  }

  public Response patch(String path, @Nullable String token, String json, String... headers) {
    return send("PATCH", path, token, json, headers);
  }

  /**
   * Sends a request. {@code headers} are name/value pairs; a JSON body gets {@code Content-Type:
   * application/json} unless a Content-Type pair is given.
   */
  public Response send(
      String method,
      String path,
      @Nullable String token,
      @Nullable String body,
      String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    boolean typed = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      typed |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null && !typed) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
