package app.candor.testing;

import app.candor.Candor;
import app.candor.core.json.Json;
import app.candor.personal.OutboxSender;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Candor, started on a random port over a temporary data dir, on SQLite or PostgreSQL.
 * Tests talk to it over HTTP with {@link #http()}, and may look inside through {@link #candor()}.
 * Like {@code candor demo}, it keeps sign-in codes in the operators' outbox ({@link
 * Candor#withOutbox}), where {@link #signIn} reads them; tests of the real senders build their own.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  private static final Pattern CODE = Pattern.compile("\\b(\\d{6})\\b");

  private final Candor candor;
  private final Http http;
  private final int port;
  private int counter;

  private TestServer(Candor candor) {
    this.candor = candor;
    this.port = candor.start();
    this.http = new Http("http://localhost:" + port);
  }

  public static TestServer start(String kind, Path dir) {
    return new TestServer(Candor.withOutbox(TestDatabases.config(kind, dir)));
  }

  /** Serves an already opened Candor (e.g. one with its own clock or settings); closes it after. */
  public static TestServer of(Candor candor) {
    return new TestServer(candor);
  }

  public static TestServer sqlite(Path dir) {
    return start(TestDatabases.SQLITE, dir);
  }

  public Candor candor() {
    return candor;
  }

  public Http http() {
    return http;
  }

  public int port() {
    return port;
  }

  /** Registers a service with these purposes and returns its API key. */
  public String service(String name, String... purposes) {
    String body =
        "{\"name\":\""
            + name
            + "\",\"purposes\":"
            + Json.mapper().valueToTree(Arrays.asList(purposes))
            + "}";
    Http.Response r = http.post("/v1/services", ADMIN_TOKEN, body);
    if (r.status() != 201) {
      throw new IllegalStateException("service creation failed: " + r);
    }
    return r.json().get("apiKey").asText();
  }

  /** Creates a person with a unique phone and email; returns the id. */
  public String person(String serviceKey) {
    int n = ++counter;
    String body =
        String.format(
            "{\"name\":\"Ana Example %d\",\"phone\":\"+4915199%06d\",\"email\":\"ana%d@example.org\","
                + "\"birthDate\":\"1990-05-17\",\"gender\":\"female\",\"occupation\":\"pilot\"}",
            n, n, n);
    return personFrom(serviceKey, body);
  }

  public String personFrom(String serviceKey, String json) {
    Http.Response r = http.post("/v1/users", serviceKey, json);
    if (r.status() != 201) {
      throw new IllegalStateException("person creation failed: " + r);
    }
    return r.json().get("id").asText();
  }

  /** Signs in by one-time code through the outbox; returns the user token. */
  public String signIn(String channel, String to) {
    Http.Response started =
        http.post("/v1/auth/otp", null, "{\"channel\":\"" + channel + "\",\"to\":\"" + to + "\"}");
    if (started.status() != 202) {
      throw new IllegalStateException("otp request failed: " + started);
    }
    String code = latestCode(to);
    Http.Response verified =
        http.post(
            "/v1/auth/otp/verify",
            null,
            "{\"verificationId\":\""
                + started.json().get("verificationId").asText()
                + "\",\"code\":\""
                + code
                + "\"}");
    if (verified.status() != 200) {
      throw new IllegalStateException("otp verify failed: " + verified);
    }
    return verified.json().get("token").asText();
  }

  /** The newest code sent to {@code to}, read from the admin outbox over HTTP. */
  public String latestCode(String to) {
    JsonNode messages = http.get("/v1/admin/outbox", ADMIN_TOKEN).json().get("messages");
    for (JsonNode m : messages) {
      if (m.get("to").asText().equals(to)) {
        Matcher matcher = CODE.matcher(m.get("body").asText());
        if (matcher.find()) {
          return matcher.group(1);
        }
      }
    }
    throw new IllegalStateException("no code sent to that address");
  }

  public List<OutboxSender.Message> outbox() {
    return candor.outbox().orElseThrow().messages();
  }

  @Override
  public void close() {
    candor.close();
  }
}
