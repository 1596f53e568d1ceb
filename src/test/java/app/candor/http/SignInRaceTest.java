package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Single use and the attempt limit hold when requests race: the same code sent many times at once
 * signs in once, and guesses sent at once are counted no further than the limit.
 */
class SignInRaceTest {

  @TempDir static Path dir;

  private static final PerDatabase<TestServer> SERVERS =
      new PerDatabase<>(k -> TestServer.start(k, dir.resolve(k)));

  @AfterAll
  static void closeAll() throws Exception {
    SERVERS.closeAll();
  }

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void the_right_code_sent_8_times_at_once_signs_in_exactly_once(String kind) throws Exception {
    TestServer server = SERVERS.get(kind);
    Person ana = person(server, "race-once");
    String body = json(Map.of("verificationId", ana.verificationId(), "code", ana.code()));

    List<Http.Response> answers =
        atOnce(8, () -> server.http().post("/v1/auth/otp/verify", null, body));

    List<Http.Response> signedIn = answers.stream().filter(r -> r.status() == 200).toList();
    assertThat(signedIn).as("%s", answers).hasSize(1);
    assertThat(signedIn.get(0).json().get("userId").asText()).isEqualTo(ana.id());
    answers.stream().filter(r -> r.status() != 200).forEach(r -> assertProblem(r, 401));
    assertThat(tokens(server, ana.id())).as("tokens issued").isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("kinds")
  void twenty_wrong_guesses_at_once_count_five_and_then_even_the_right_code_is_refused(String kind)
      throws Exception {
    TestServer server = SERVERS.get(kind);
    Person ana = person(server, "race-guess");
    String wrong = ana.code().equals("000000") ? "111111" : "000000";
    String guess = json(Map.of("verificationId", ana.verificationId(), "code", wrong));

    List<Http.Response> answers =
        atOnce(20, () -> server.http().post("/v1/auth/otp/verify", null, guess));

    List<Integer> statuses = answers.stream().map(Http.Response::status).toList();
    assertThat(statuses).as("%s", answers).containsOnly(401, 429);
    assertThat(statuses.stream().filter(s -> s == 401).count())
        .as("guesses counted, each answered 401")
        .isEqualTo(5);
    answers.forEach(r -> assertProblem(r, r.status()));
    assertThat(attempts(server, ana.verificationId())).isEqualTo(5);

    Http.Response right =
        server
            .http()
            .post(
                "/v1/auth/otp/verify",
                null,
                json(Map.of("verificationId", ana.verificationId(), "code", ana.code())));
    assertProblem(right, 429);
    assertThat(tokens(server, ana.id())).isZero();
  }

  /** A registered person with a code requested for their email. */
  private record Person(String id, String verificationId, String code) {}

  private static Person person(TestServer server, String service) {
    String key = server.service(service, "account");
    String id = server.person(key);
    String email =
        server
            .http()
            .get("/v1/users/" + id, key, "Candor-Purpose", "account")
            .json()
            .get("email")
            .asText();
    Http.Response started =
        server.http().post("/v1/auth/otp", null, json(Map.of("channel", "email", "to", email)));
    assertThat(started.status()).as("%s", started).isEqualTo(202);
    return new Person(id, started.json().get("verificationId").asText(), server.latestCode(email));
  }

  /** Sends {@code n} requests released at the same instant from {@code n} threads. */
  private static List<Http.Response> atOnce(int n, Supplier<Http.Response> request)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch ready = new CountDownLatch(n);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Http.Response>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return request.get();
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Http.Response> out = new ArrayList<>();
      for (Future<Http.Response> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long tokens(TestServer server, String subjectId) {
    return server
        .candor()
        .database()
        .withHandle(
            h ->
                h.createQuery("SELECT COUNT(*) FROM user_tokens WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .mapTo(Long.class)
                    .one());
  }

  private static int attempts(TestServer server, String verificationId) {
    return server
        .candor()
        .database()
        .withHandle(
            h ->
                h.createQuery("SELECT attempts FROM otp_verifications WHERE id = :id")
                    .bind("id", verificationId)
                    .mapTo(Integer.class)
                    .one());
  }
}
