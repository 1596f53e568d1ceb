package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.PerDatabase;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import app.candor.usage.RollupFixture;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analytics routes: who may call them, what they answer, and a 400 problem naming each bad
 * query parameter (never a 5xx).
 */
class AnalyticsRoutesTest {
  private static final String ADMIN = TestServer.ADMIN_TOKEN;
  private static final List<String> ROUTES =
      List.of(
          "/v1/analytics/active-users",
          "/v1/analytics/sessions",
          "/v1/analytics/features",
          "/v1/analytics/retention");

  /** One server per database, with callers of every kind and some usage in the rollups. */
  static final class World implements AutoCloseable {
    final TestServer server;
    final String analyticsKey;
    final String accountKey;
    final String userToken;

    World(TestServer server) {
      this.server = server;
      this.analyticsKey = server.service("insights", "analytics");
      this.accountKey = server.service("accounts", "account", "messaging", "safety");
      server.person(accountKey);
      this.userToken = server.signIn("sms", "+4915199000001");
      // 12 people active today and yesterday, 3 more yesterday only.
      long today = LocalDate.now(ZoneOffset.UTC).toEpochDay();
      RollupFixture f = new RollupFixture();
      for (int i = 0; i < 15; i++) {
        f.use("p" + i, "chat", today - 1, 2).session("p" + i, today - 1, 300);
        if (i < 12) {
          f.use("p" + i, "chat", today, 1).session("p" + i, today, 90);
        }
      }
      f.use("p0", "secret-feature", today, 1);
      f.load(server.candor().database());
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @TempDir static Path dir;
  private static final PerDatabase<World> WORLDS =
      new PerDatabase<>(k -> new World(TestServer.start(k, dir.resolve(k))));

  private static World world(String kind) {
    return WORLDS.get(kind);
  }

  @AfterAll
  static void closeWorlds() throws Exception {
    WORLDS.closeAll();
  }

  static Stream<Arguments> callers() {
    List<Arguments> out = new ArrayList<>();
    for (String kind : TestDatabases.kinds()) {
      for (String route : ROUTES) {
        out.add(Arguments.of(kind, route, "admin", 200));
        out.add(Arguments.of(kind, route, "service with analytics", 200));
        out.add(Arguments.of(kind, route, "service without analytics", 403));
        out.add(Arguments.of(kind, route, "user", 403));
        out.add(Arguments.of(kind, route, "nobody", 401));
        out.add(Arguments.of(kind, route, "bad token", 401));
      }
    }
    return out.stream();
  }

  private static @Nullable String token(World w, String who) {
    switch (who) {
      case "admin":
        return ADMIN;
      case "service with analytics":
        return w.analyticsKey;
      case "service without analytics":
        return w.accountKey;
      case "user":
        return w.userToken;
      case "bad token":
        return "ck_not-a-key-anyone-was-given";
      default:
        return null;
    }
  }

  @ParameterizedTest(name = "[{0}] {1} as {2} -> {3}")
  @MethodSource("callers")
  void only_operators_and_analytics_services_may_read_analytics(
      String kind, String route, String who, int expected) {
    World w = world(kind);
    // Bad parameters too: the caller is checked first, so nobody learns the rules without access.
    for (String query : List.of("", "?from=yesterday")) {
      Http.Response r = w.server.http().get(route + query, token(w, who));
      if (expected == 200 && !query.isEmpty()) {
        assertProblem(r, 400, "from");
      } else if (expected == 200) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
      } else {
        assertProblem(r, expected);
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void no_analytics_answer_names_a_feature_fewer_than_ten_people_used(String kind) {
    World w = world(kind);
    Http http = w.server.http();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    List<String> queries =
        List.of(
            "",
            "?from=" + today + "&to=" + today,
            "?from=" + today.minusDays(399) + "&to=" + today);
    int answers = 0;
    for (String route : ROUTES) {
      for (String query : queries) {
        String q = query;
        if (route.endsWith("/features")) {
          q += (q.isEmpty() ? "?" : "&") + "limit=100";
        }
        for (String caller : List.of(ADMIN, w.analyticsKey)) {
          Http.Response r = http.get(route + q, caller);
          assertThat(r.status()).as("%s%s", route, q).isEqualTo(200);
          assertThat(r.text()).as("%s%s", route, q).doesNotContain("secret-feature");
          answers++;
        }
      }
    }
    assertThat(answers).isEqualTo(ROUTES.size() * queries.size() * 2);
    // The feature is in the rollups (one person used it today): the answers leave it out.
    long rows =
        w.server
            .candor()
            .database()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT COUNT(*) FROM usage_feature_days WHERE feature = 'secret-feature'")
                        .mapTo(Long.class)
                        .one());
    assertThat(rows).isEqualTo(1);
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void the_answers_have_the_contract_shapes_with_small_numbers_suppressed(String kind) {
    World w = world(kind);
    Http http = w.server.http();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String yesterday = today.minusDays(1).toString();

    JsonNode active = http.get("/v1/analytics/active-users", w.analyticsKey).json();
    assertThat(active.get("window").asText()).isEqualTo("day");
    JsonNode points = active.get("points");
    assertThat(points).hasSize(30);
    JsonNode last = points.get(29);
    assertThat(last.get("date").asText()).isEqualTo(today.toString());
    assertThat(last.get("users").asLong()).isEqualTo(12);
    assertThat(last.get("stickiness").asDouble()).isEqualTo(0.8);
    assertThat(last.get("suppressed").asBoolean()).isFalse();
    JsonNode first = points.get(0);
    assertThat(first.has("users") && first.get("users").isNull()).isTrue();
    assertThat(first.get("stickiness").isNull()).isTrue();
    assertThat(first.get("suppressed").asBoolean()).isTrue();

    JsonNode week =
        http.get("/v1/analytics/active-users?window=week&from=" + yesterday + "&to=" + today, ADMIN)
            .json();
    assertThat(week.get("window").asText()).isEqualTo("week");
    assertThat(week.get("points")).hasSize(2);
    assertThat(week.at("/points/1/users").asLong()).isEqualTo(15);

    JsonNode sessions = http.get("/v1/analytics/sessions", ADMIN).json();
    assertThat(sessions.get("count").asLong()).isEqualTo(27);
    assertThat(sessions.get("medianSeconds").asLong()).isBetween(290L, 310L);
    assertThat(sessions.get("p90Seconds").asLong()).isBetween(290L, 310L);
    assertThat(sessions.get("sessionsPerPerson").asDouble()).isEqualTo(1.8);
    assertThat(sessions.get("suppressed").asBoolean()).isFalse();
    JsonNode none = http.get("/v1/analytics/sessions?from=2020-01-01&to=2020-01-31", ADMIN).json();
    assertThat(none.get("count").isNull()).isTrue();
    assertThat(none.get("suppressed").asBoolean()).isTrue();

    JsonNode features = http.get("/v1/analytics/features?limit=5", ADMIN).json().get("features");
    // "secret-feature", used by one person, is not named at all.
    assertThat(features).hasSize(1);
    assertThat(features.at("/0/name").asText()).isEqualTo("chat");
    assertThat(features.at("/0/uses").asLong()).isEqualTo(42);
    assertThat(features.at("/0/people").asLong()).isEqualTo(15);
    assertThat(features.at("/0/suppressed").asBoolean()).isFalse();
    assertThat(features.at("/0/daily")).hasSize(30);
    assertThat(features.at("/0/daily/29/uses").asLong()).isEqualTo(12);

    JsonNode retention = http.get("/v1/analytics/retention?period=week", ADMIN).json();
    assertThat(retention.get("period").asText()).isEqualTo("week");
    JsonNode cohorts = retention.get("cohorts");
    assertThat(cohorts.size()).isBetween(11, 12);
    for (JsonNode c : cohorts) {
      assertThat(c.get("start").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
      assertThat(LocalDate.parse(c.get("start").asText()).getDayOfWeek().getValue()).isEqualTo(1);
      assertThat(c.get("retained").size()).isBetween(1, 13);
    }
  }

  static Stream<Arguments> badQueries() {
    List<Arguments> out = new ArrayList<>();
    for (String kind : TestDatabases.kinds()) {
      for (String route : ROUTES) {
        out.add(Arguments.of(kind, route + "?from=2025-1-5", new String[] {"from"}));
        out.add(Arguments.of(kind, route + "?from=2025-02-30", new String[] {"from"}));
        out.add(Arguments.of(kind, route + "?to=tomorrow", new String[] {"to"}));
        out.add(Arguments.of(kind, route + "?from=&to=", new String[] {"from", "to"}));
        out.add(Arguments.of(kind, route + "?from=2025-03-01&to=2025-02-01", new String[] {"to"}));
        out.add(Arguments.of(kind, route + "?from=2024-01-01&to=2025-06-01", new String[] {"to"}));
        out.add(
            Arguments.of(kind, route + "?from=1969-12-31&to=1970-01-05", new String[] {"from"}));
        out.add(
            Arguments.of(kind, route + "?from=2025-01-01&from=2025-01-02", new String[] {"from"}));
        out.add(Arguments.of(kind, route + "?colour=blue", new String[] {"colour"}));
        out.add(Arguments.of(kind, route + "?to=%00%ff", new String[] {"to"}));
      }
      out.add(Arguments.of(kind, ROUTES.get(0) + "?window=year", new String[] {"window"}));
      out.add(Arguments.of(kind, ROUTES.get(0) + "?window=", new String[] {"window"}));
      out.add(
          Arguments.of(
              kind, ROUTES.get(0) + "?window=Week&from=x", new String[] {"window", "from"}));
      out.add(Arguments.of(kind, ROUTES.get(2) + "?limit=0", new String[] {"limit"}));
      out.add(Arguments.of(kind, ROUTES.get(2) + "?limit=101", new String[] {"limit"}));
      out.add(Arguments.of(kind, ROUTES.get(2) + "?limit=-1", new String[] {"limit"}));
      out.add(Arguments.of(kind, ROUTES.get(2) + "?limit=ten", new String[] {"limit"}));
      out.add(
          Arguments.of(
              kind, ROUTES.get(2) + "?limit=99999999999999999999", new String[] {"limit"}));
      out.add(Arguments.of(kind, ROUTES.get(3) + "?period=month", new String[] {"period"}));
      out.add(
          Arguments.of(kind, ROUTES.get(3) + "?period=day&to=x", new String[] {"period", "to"}));
      out.add(Arguments.of(kind, ROUTES.get(1) + "?window=week", new String[] {"window"}));
      out.add(Arguments.of(kind, ROUTES.get(1) + "?limit=5", new String[] {"limit"}));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("badQueries")
  void bad_query_parameters_get_a_problem_naming_each(String kind, String path, String[] fields) {
    World w = world(kind);
    Http.Response r = w.server.http().get(path, ADMIN);
    assertProblem(r, 400, fields);
    assertThat(r.json().path("detail").asText()).isNotBlank();
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void edge_values_are_accepted(String kind) {
    World w = world(kind);
    Http http = w.server.http();
    for (String path :
        List.of(
            "/v1/analytics/active-users?from=1970-01-01&to=1970-01-31&window=month",
            "/v1/analytics/active-users?from=2024-01-01&to=2025-02-03",
            "/v1/analytics/features?limit=1",
            "/v1/analytics/features?limit=100&from=2030-01-01&to=2030-01-01",
            "/v1/analytics/retention?from=2030-01-01&to=2030-12-31",
            "/v1/analytics/sessions?from=2025-02-28&to=2025-02-28")) {
      Http.Response r = http.get(path, ADMIN);
      assertThat(r.status()).as("%s: %s", path, r).isEqualTo(200);
    }
    assertThat(http.get("/v1/analytics/retention?from=2030-01-01&to=2030-12-31", ADMIN).json())
        .hasToString("{\"period\":\"week\",\"cohorts\":[]}");
    assertThat(http.get("/v1/analytics/features?limit=1", ADMIN).json().get("features")).hasSize(1);
  }
}
