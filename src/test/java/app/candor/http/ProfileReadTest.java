package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.audit.AccessLog;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The profile read answers only once its access-log entry is stored, without holding a request
 * thread while it waits: many parallel reads each get their answer and their own entry, and a read
 * whose entry cannot be stored gets a 503 and none of the person's data.
 */
class ProfileReadTest {
  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void parallel_reads_each_get_the_profile_and_their_own_entry(String kind) throws Exception {
    try (TestServer server = TestServer.start(kind, dir)) {
      String key = server.service("crm", "account");
      String id = server.person(key);
      int reads = 96;
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<Http.Response>> answers = new ArrayList<>();
        for (int i = 0; i < reads; i++) {
          answers.add(
              pool.submit(
                  () ->
                      new Http("http://localhost:" + server.port())
                          .get("/v1/users/" + id, key, "Candor-Purpose", "account")));
        }
        for (Future<Http.Response> answer : answers) {
          Http.Response r = answer.get();
          assertThat(r.status()).as("%s", r).isEqualTo(200);
          assertThat(r.header("Content-Type")).startsWith("application/json");
          assertThat(r.json().get("name").asText()).startsWith("Ana Example");
        }
      } finally {
        pool.shutdownNow();
      }
      List<AccessLog.Entry> entries = server.candor().accessLog().entries(id);
      assertThat(entries)
          .filteredOn(e -> e.purpose().equals("account"))
          .as("one entry per read answered")
          .hasSize(reads);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_read_whose_entry_cannot_be_stored_is_503_without_the_data(String kind) {
    try (TestServer server = TestServer.start(kind, dir)) {
      String key = server.service("crm", "account");
      String id = server.person(key);
      server.candor().accessLog().close();

      Http.Response r = server.http().get("/v1/users/" + id, key, "Candor-Purpose", "account");

      assertProblem(r, 503);
      assertThat(r.text()).doesNotContain("Ana Example").doesNotContain("example.org");
      assertThat(server.candor().accessLog().entries(id)).isEmpty();
    }
  }
}
