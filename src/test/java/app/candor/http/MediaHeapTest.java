package app.candor.http;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.communication.media.MediaService;
import app.candor.testing.ChildServer;
import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files stream through in constant memory: {@code serve} in a child JVM with a 256 MiB heap takes
 * three uploads of 100 MiB at once (300 MiB, more than the heap, so a server that held an upload
 * whole would run out of memory), and gives each back whole and unchanged.
 */
class MediaHeapTest {
  private static final int FILES = 3;

  @TempDir Path dir;

  @Test
  void three_uploads_of_100_mib_at_once_go_through_a_server_with_a_256_mib_heap() throws Exception {
    int port = ChildServer.freePort();
    Path log = dir.resolve("server.log");
    Process server =
        ChildServer.start(
            dir.resolve("data"),
            port,
            log,
            Map.of("CANDOR_CODE_SENDER", "none"),
            List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
    try {
      Http http = new Http("http://localhost:" + port);
      ChildServer.awaitReady(server, http, log);
      String accounts = key(http, "accounts", "account");
      String chat = key(http, "chat", "messaging");
      Http.Response person =
          http.post(
              "/v1/users", accounts, "{\"name\":\"Heap Test\",\"email\":\"heap@example.org\"}");
      assertThat(person.status()).as("%s", person).isEqualTo(201);
      String owner = person.json().get("id").asText();

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      ExecutorService pool = Executors.newFixedThreadPool(FILES);
      try {
        List<Future<String[]>> uploads = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
          long seed = i;
          uploads.add(pool.submit(() -> upload(client, port, chat, owner, seed)));
        }
        List<Future<String>> downloads = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (Future<String[]> f : uploads) {
          String[] idAndDigest = f.get();
          sent.add(idAndDigest[1]);
          downloads.add(pool.submit(() -> download(client, port, chat, idAndDigest[0], owner)));
        }
        for (int i = 0; i < FILES; i++) {
          assertThat(downloads.get(i).get()).as("file %d back unchanged", i).isEqualTo(sent.get(i));
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(server.isAlive())
          .as("the server is still up:\n%s", Files.readString(log))
          .isTrue();
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static String key(Http http, String name, String purpose) {
    Http.Response r =
        http.post(
            "/v1/services",
            TestServer.ADMIN_TOKEN,
            "{\"name\":\"" + name + "\",\"purposes\":[\"" + purpose + "\"]}");
    assertThat(r.status()).as("%s", r).isEqualTo(201);
    return r.json().get("apiKey").asText();
  }

  /** Uploads MAX_BYTES of seeded random bytes; returns the id and the SHA-256 of what was sent. */
  private static String[] upload(HttpClient client, int port, String token, String owner, long seed)
      throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/media"))
            .timeout(Duration.ofMinutes(5))
            .header("Authorization", "Bearer " + token)
            .header("Candor-Owner", owner)
            .header("Content-Type", "video/mp4")
            .POST(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new DigestInputStream(seeded(MediaService.MAX_BYTES, seed), sha)),
                    MediaService.MAX_BYTES))
            .build();
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = app.candor.core.json.Json.mapper().readTree(r.body()).get("id").asText();
    return new String[] {id, HexFormat.of().formatHex(sha.digest())};
  }

  /** Downloads the file, hashing it as it arrives; returns the SHA-256 of what came back. */
  private static String download(HttpClient client, int port, String token, String id, String user)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/v1/media/" + id + "?userId=" + user))
            .timeout(Duration.ofMinutes(5))
            .header("Authorization", "Bearer " + token)
            .build();
    HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(MediaService.MAX_BYTES);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream in = r.body()) {
      byte[] buffer = new byte[65_536];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        sha.update(buffer, 0, n);
        total += n;
      }
    }
    assertThat(total).isEqualTo(MediaService.MAX_BYTES);
    return HexFormat.of().formatHex(sha.digest());
  }

  /** {@code n} pseudo-random bytes from {@code seed}, made as read. */
  private static InputStream seeded(long n, long seed) {
    Random random = new Random(seed);
    return new InputStream() {
      long left = n;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int k = (int) Math.min(len, left);
        byte[] chunk = new byte[k];
        random.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, off, k);
        left -= k;
        return k;
      }
    };
  }
}
