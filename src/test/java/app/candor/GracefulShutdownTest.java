package app.candor;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the server lets a request in flight finish and commit. */
class GracefulShutdownTest {

  @TempDir Path dir;

  @Test
  @Timeout(60)
  void a_request_in_flight_when_the_server_stops_still_completes() throws Exception {
    TestServer server = TestServer.sqlite(dir);
    Candor candor = server.candor();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    Handle lock = candor.database().open();
    boolean released = false;
    try {
      String chat = server.service("chat", "account");
      // Hold the write lock, so the next person creation waits inside its request.
      lock.begin();
      lock.execute("INSERT INTO system_keys (name, wrapped) VALUES ('test-lock', 'x')");

      CompletableFuture<Http.Response> inFlight =
          CompletableFuture.supplyAsync(
              () ->
                  server
                      .http()
                      .post(
                          "/v1/users",
                          chat,
                          "{\"name\":\"Late Larry\",\"phone\":\"+4915199555000\","
                              + "\"email\":\"late@example.org\"}"),
              threads);
      await("the request is being handled", GracefulShutdownTest::creatingAPerson);

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(candor::close, threads);
      await("the server stops accepting connections", () -> !accepts(server.port()));
      assertThat(inFlight).isNotDone();
      assertThat(stopping).isNotDone();

      lock.rollback();
      lock.close();
      released = true;

      Http.Response response = inFlight.get(20, TimeUnit.SECONDS);
      assertThat(response.status()).as(response.toString()).isEqualTo(201);
      stopping.get(20, TimeUnit.SECONDS);
      String id = response.json().get("id").asText();

      try (Candor reopened = Candor.open(TestDatabases.config(TestDatabases.SQLITE, dir))) {
        assertThat(reopened.people().find(id).orElseThrow().name()).isEqualTo("Late Larry");
      }
    } finally {
      if (!released) {
        lock.rollback();
        lock.close();
      }
      threads.shutdownNow();
      server.close();
    }
  }

  private static boolean creatingAPerson() {
    return Thread.getAllStackTraces().values().stream()
        .flatMap(Arrays::stream)
        .anyMatch(
            f ->
                f.getClassName().equals("app.candor.personal.PersonalService")
                    && f.getMethodName().equals("create"));
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("localhost", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
