package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.communication.media.MediaService;
import app.candor.testing.AtRest;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shared files over HTTP on both databases: the round trip, who may download, what is at rest,
 * erasure, the export, and uploads refused before anything is kept.
 */
class MediaApiTest {

  @TempDir Path dir;

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A small picture-like file whose bytes are found nowhere else: a phrase and random bytes. */
  private static byte[] probe(String phrase, byte[] marker) {
    byte[] head = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    byte[] text = phrase.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(head);
    for (int i = 0; i < 200; i++) {
      out.writeBytes(text);
      out.writeBytes(marker);
    }
    return out.toByteArray();
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Http.Response upload(
      TestServer server,
      @Nullable String token,
      @Nullable String owner,
      @Nullable String type,
      HttpRequest.BodyPublisher body) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/v1/media"))
            .timeout(Duration.ofMinutes(2))
            .POST(body);
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    if (owner != null) {
      r.header("Candor-Owner", owner);
    }
    if (type != null) {
      r.header("Content-Type", type);
    }
    try {
      HttpResponse<byte[]> res = CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Http.Response(res.statusCode(), res.headers().map(), res.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Http.Response upload(
      TestServer server, String token, String owner, String type, byte[] bytes) {
    return upload(server, token, owner, type, HttpRequest.BodyPublishers.ofByteArray(bytes));
  }

  static Http.Response download(TestServer server, String token, String mediaId, String userId) {
    return server.http().get("/v1/media/" + mediaId + "?userId=" + userId, token);
  }

  private Path media(String kind) {
    return dir.resolve(kind).resolve("media");
  }

  /** The files in the media directory, temporaries included. */
  private List<String> blobs(String kind) throws IOException {
    try (Stream<Path> files = Files.list(media(kind))) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void an_uploaded_file_downloads_as_the_same_bytes_and_type_and_the_read_is_in_the_owners_log(
      String kind) {
    try (TestServer server = TestServer.start(kind, dir.resolve(kind))) {
      String chat = server.service("chat", "messaging");
      String ana = server.person(server.service("accounts", "account"));
      byte[] file = random(300_000, 1);

      Http.Response up = upload(server, chat, ana, "image/jpeg", file);
      assertThat(up.status()).as("%s", up).isEqualTo(201);
      String id = up.json().get("id").asText();
      assertThat(up.json().get("size").asLong()).isEqualTo(file.length);
      assertThat(up.json().get("contentType").asText()).isEqualTo("image/jpeg");

      Http.Response down = download(server, chat, id, ana);
      assertThat(down.status()).isEqualTo(200);
      assertThat(down.header("Content-Type")).startsWith("image/jpeg");
      assertThat(down.body()).isEqualTo(file);

      // Parameters of the type are dropped; the bytes are kept as sent.
      Http.Response text = upload(server, chat, ana, "text/plain; charset=utf-8", file);
      assertThat(text.json().get("contentType").asText()).isEqualTo("text/plain");

      List<String> log =
          server
              .candor()
              .database()
              .<List<String>, RuntimeException>withHandle(
                  h ->
                      h.createQuery(
                              "SELECT caller || ' ' || purpose || ' ' || fields FROM access_log"
                                  + " WHERE subject_id = :s")
                          .bind("s", ana)
                          .mapTo(String.class)
                          .list());
      assertThat(log)
          .as("the uploads and the download, in Ana's access log")
          .hasSize(3)
          .allMatch(
              e -> e.startsWith("service:chat messaging") && e.contains("communication.media"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void only_the_owner_downloads_and_anyone_else_is_told_there_is_no_such_file(String kind) {
    try (TestServer server = TestServer.start(kind, dir.resolve(kind))) {
      String chat = server.service("chat", "messaging");
      String ads = server.service("ads", "analytics");
      String accounts = server.service("accounts", "account");
      String ana = server.person(accounts);
      String bo = server.person(accounts);
      String id = upload(server, chat, ana, "audio/ogg", random(1000, 2)).json().get("id").asText();

      assertProblem(download(server, chat, id, bo), 404);
      assertProblem(download(server, chat, id, UUID.randomUUID().toString()), 404);
      assertProblem(download(server, chat, UUID.randomUUID().toString(), ana), 404);
      assertProblem(download(server, chat, "not-an-id", ana), 404);
      assertProblem(download(server, ads, id, ana), 403);
      assertProblem(download(server, TestServer.ADMIN_TOKEN, id, ana), 403);
      assertProblem(download(server, null, id, ana), 401);
      assertProblem(server.http().get("/v1/media/" + id, chat), 400, "userId");
      assertProblem(download(server, chat, id, "ana"), 400, "userId");
      // Bo's own sign-in reaches Bo's files only.
      String boToken = server.signIn("sms", "+4915199000002");
      assertProblem(download(server, boToken, id, bo), 404);
      String anaToken = server.signIn("sms", "+4915199000001");
      assertThat(download(server, anaToken, id, ana).status()).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void no_byte_of_a_shared_file_is_at_rest_and_erasing_the_owner_leaves_no_file_record_or_key(
      String kind) throws Exception {
    try (TestServer server = TestServer.start(kind, dir.resolve(kind))) {
      String chat = server.service("chat", "messaging");
      String ana = server.person(server.service("accounts", "account"));
      String tag = UUID.randomUUID().toString().substring(0, 8);
      String phrase = "candor-media-probe-" + tag;
      byte[] marker = random(24, tag.hashCode());
      byte[] file = probe(phrase, marker);
      Http.Response up = upload(server, chat, ana, "image/png", file);
      assertThat(up.status()).as("%s", up).isEqualTo(201);
      String id = up.json().get("id").asText();
      assertThat(blobs(kind)).containsExactly(id);
      server.candor().database().flush();

      var url = server.candor().config().dbUrl();
      Path data = dir.resolve(kind);
      assertThat(AtRest.find(data, url, AtRest.bytes(phrase))).as("the phrase at rest").isEmpty();
      assertThat(AtRest.find(data, url, marker)).as("the image bytes at rest").isEmpty();
      assertThat(AtRest.find(data, url, AtRest.bytes("image/png"))).as("the type").isEmpty();

      // The export holds the file itself, decrypted.
      Http.Response export =
          server.http().get("/v1/users/" + ana + "/export", TestServer.ADMIN_TOKEN);
      assertThat(export.status()).isEqualTo(200);
      assertThat(entry(export.body(), "communication-media-" + id + ".png")).isEqualTo(file);
      Http.Response report =
          server.http().get("/v1/users/" + ana + "/data", TestServer.ADMIN_TOKEN);
      assertThat(report.text()).contains("\"files\":1").contains("\"totalBytes\":" + file.length);

      assertThat(server.http().delete("/v1/users/" + ana, TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);
      assertProblem(download(server, chat, id, ana), 404);
      assertThat(blobs(kind)).as("blobs after erasure").isEmpty();
      assertThat(HttpTesting.rows(server, "media")).isZero();
      assertThat(server.candor().subjectKeys().exists(ana)).isFalse();
      server.candor().database().flushErasedPages();
      assertThat(AtRest.find(data, url, AtRest.bytes(id))).as("the file's id").isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void uploads_too_large_of_a_refused_type_or_without_headers_keep_nothing(String kind)
      throws Exception {
    try (TestServer server = TestServer.start(kind, dir.resolve(kind))) {
      String chat = server.service("chat", "messaging");
      String ads = server.service("ads", "analytics");
      String ana = server.person(server.service("accounts", "account"));
      byte[] small = random(5000, 3);

      assertProblem(upload(server, chat, ana, "text/html", small), 415, "Content-Type");
      assertProblem(upload(server, chat, ana, "application/octet-stream", small), 415);
      assertProblem(upload(server, chat, ana, "image/svg+xml", small), 415);
      assertProblem(
          upload(server, chat, null, null, HttpRequest.BodyPublishers.ofByteArray(small)),
          400,
          "Candor-Owner",
          "Content-Type");
      assertProblem(upload(server, chat, "ana", "image/png", small), 400, "Candor-Owner");
      assertProblem(upload(server, chat, ana, "image/png", new byte[0]), 400, "body");
      assertProblem(upload(server, chat, UUID.randomUUID().toString(), "image/png", small), 404);
      assertProblem(upload(server, ads, ana, "image/png", small), 403);
      assertProblem(upload(server, TestServer.ADMIN_TOKEN, ana, "image/png", small), 403);
      assertProblem(upload(server, null, ana, "image/png", small), 401);

      // Declared too large: refused before a byte is read.
      assertThat(declaredTooLarge(server, chat, ana)).startsWith("HTTP/1.1 413");
      // Sent without a length and found too large while streaming: one byte past the limit.
      Http.Response streamed =
          upload(
              server,
              chat,
              ana,
              "video/mp4",
              HttpRequest.BodyPublishers.ofInputStream(() -> zeros(MediaService.MAX_BYTES + 1)));
      assertProblem(streamed, 413);

      assertThat(blobs(kind)).as("files in the media directory").isEmpty();
      assertThat(HttpTesting.rows(server, "media")).isZero();
      // ...while a file of exactly the limit's size is not the problem: a smaller one is stored.
      assertThat(upload(server, chat, ana, "image/png", small).status()).isEqualTo(201);
    }
  }

  /** The status line answered to headers declaring a body one byte over the limit. */
  private static String declaredTooLarge(TestServer server, String token, String owner)
      throws IOException {
    try (Socket socket = new Socket("localhost", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/media HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + token
                  + "\r\nCandor-Owner: "
                  + owner
                  + "\r\nContent-Type: video/mp4\r\nContent-Length: "
                  + (MediaService.MAX_BYTES + 1)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] head = socket.getInputStream().readNBytes(12);
      return new String(head, StandardCharsets.US_ASCII);
    }
  }

  /** {@code n} zero bytes, generated as read. */
  static InputStream zeros(long n) {
    return new InputStream() {
      long left = n;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int k = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + k, (byte) 0);
        left -= k;
        return k;
      }
    };
  }

  private static byte[] entry(byte[] zip, String name) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.getName().equals(name)) {
          return in.readAllBytes();
        }
        names.add(e.getName());
      }
    }
    throw new AssertionError(name + " not in the export: " + names);
  }
}
