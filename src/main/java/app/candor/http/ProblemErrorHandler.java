package app.candor.http;

import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors the web server answers by itself, for requests too malformed to reach a route (a broken
 * URI, oversized headers, an unreadable Content-Length): problem+json too, never an HTML page. The
 * detail never echoes the request, which could hold personal data.
 */
final class ProblemErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    response.write(true, ByteBuffer.wrap(problem(code)), callback);
  }

  private static byte[] problem(int status) {
    String reason = HttpStatus.getMessage(status);
    Optional<CandorException.Kind> kind =
        Arrays.stream(CandorException.Kind.values()).filter(k -> k.status() == status).findFirst();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", Problems.TYPE_BASE + kind.map(k -> k.slug()).orElse("http-" + status));
    body.put("title", kind.map(k -> k.title()).orElse(reason));
    body.put("status", status);
    body.put("detail", status < 500 ? "the request could not be read as HTTP: " + reason : reason);
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
