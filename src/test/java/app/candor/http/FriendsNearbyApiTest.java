package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Friends nearby over HTTP on both databases: only mutual contacts, visible to friends or to
 * everyone, with the bands of people nearby; and a person visible to friends only never shown to a
 * stranger in people nearby.
 */
class FriendsNearbyApiTest {

  private static final double LAT = 48.8566;
  private static final double LON = 2.3522;

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server with the services the story needs; people are numbered from 1 by TestServer. */
  record World(
      TestServer server, Http http, String accounts, String maps, String nearby, String chat)
      implements AutoCloseable {
    static World start(String kind, Path dir) {
      TestServer server = TestServer.start(kind, dir);
      return new World(
          server,
          server.http(),
          server.service("accounts", "account"),
          server.service("maps", "location"),
          server.service("nearby", "nearby_discovery"),
          server.service("chat", "messaging"));
    }

    void consent(String id, String purpose, String body) {
      Http.Response r = http.put("/v1/users/" + id + "/consents/" + purpose, accounts, body);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    /** A located person, visible at {@code level} (everyone, friends) or not at all (null). */
    String person(String level, double lat, double lon) {
      String id = server.person(accounts);
      consent(id, "location", "{\"granted\":true,\"level\":\"precise\"}");
      if (level != null) {
        consent(id, "nearby_discovery", "{\"granted\":true,\"level\":\"" + level + "\"}");
      }
      Http.Response moved =
          http.post(
              "/v1/users/" + id + "/locations",
              maps,
              String.format(
                  Locale.ROOT,
                  "{\"lat\":%.7f,\"lon\":%.7f,\"timestamp\":\"%s\"}",
                  lat,
                  lon,
                  Instant.now()));
      assertThat(moved.status()).as("%s", moved).isEqualTo(202);
      return id;
    }

    /** The contact list of {@code owner}: the phones of people numbered {@code numbers}. */
    void knows(String owner, int... numbers) {
      List<Map<String, String>> entries = new ArrayList<>();
      for (int n : numbers) {
        entries.add(Map.of("phone", String.format(Locale.ROOT, "+4915199%06d", n)));
      }
      Http.Response r =
          http.put("/v1/users/" + owner + "/contacts", chat, json(Map.of("contacts", entries)));
      assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    List<String> friends(String viewer, String query) {
      Http.Response r = http.get("/v1/users/" + viewer + "/nearby/friends" + query, nearby);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      List<String> out = new ArrayList<>();
      r.json().get("friends").forEach(f -> out.add(f.get("userId").asText()));
      return out;
    }

    List<String> people(String viewer) {
      Http.Response r = http.get("/v1/users/" + viewer + "/nearby/people?radiusKm=10", nearby);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      List<String> out = new ArrayList<>();
      r.json().get("people").forEach(f -> out.add(f.get("userId").asText()));
      return out;
    }

    @Override
    public void close() {
      server.close();
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void friends_nearby_lists_mutual_contacts_only_and_friends_only_people_never_reach_strangers(
      String kind) {
    try (World w = World.start(kind, dir)) {
      String ana = w.person("everyone", LAT, LON); // 1
      String bo = w.person("friends", LAT + 0.0005, LON); // 2: Ana's friend, friends only
      String cy = w.person("everyone", LAT + 0.02, LON); // 3: in Ana's list, Ana not in hers
      String dee = w.person("friends", LAT, LON + 0.0005); // 4: has Ana, Ana does not have her
      String eve = w.person("everyone", LAT, LON + 0.001); // 5: a stranger to everyone
      String fay = w.person(null, LAT, LON); // 6: Ana's friend, not visible
      String gus = w.person("friends", 45.764, 4.8357); // 7: Ana's friend, in Lyon
      w.knows(ana, 2, 3, 6, 7);
      w.knows(bo, 1);
      w.knows(dee, 1);
      w.knows(fay, 1);
      w.knows(gus, 1);

      assertThat(w.friends(ana, "")).containsExactly(bo);
      assertThat(w.friends(ana, "?radiusKm=50&limit=10")).containsExactly(bo);
      assertThat(w.friends(bo, "")).containsExactly(ana);
      assertThat(w.friends(dee, "")).isEmpty();
      Http.Response answer = w.http().get("/v1/users/" + ana + "/nearby/friends", w.nearby());
      assertThat(answer.json().get("friends").get(0).fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder("userId", "name", "distance");
      assertThat(answer.json().get("friends").get(0).get("distance").asText())
          .isIn("under 1 km", "1-2 km");

      // Friends only: never in people nearby, not for strangers nor even for friends there.
      assertThat(w.people(eve)).contains(ana, cy).doesNotContain(bo, dee, gus);
      assertThat(w.people(ana)).contains(cy, eve).doesNotContain(bo, dee);
      // And a friends-only viewer may not look at strangers.
      assertProblem(w.http().get("/v1/users/" + bo + "/nearby/people", w.nearby()), 403);
      // The invisible may not look for friends.
      assertProblem(w.http().get("/v1/users/" + fay + "/nearby/friends", w.nearby()), 403);

      // Bo opens up to everyone, then goes back to friends only.
      w.consent(bo, "nearby_discovery", "{\"granted\":true,\"level\":\"everyone\"}");
      assertThat(w.people(eve)).contains(bo);
      w.consent(bo, "nearby_discovery", "{\"granted\":true}");
      assertThat(w.people(eve)).contains(bo);
      w.consent(bo, "nearby_discovery", "{\"granted\":true,\"level\":\"friends\"}");
      assertThat(w.people(eve)).doesNotContain(bo);
      assertThat(w.friends(ana, "")).containsExactly(bo);
      // Withdrawn: no longer among anyone's friends nearby.
      w.consent(bo, "nearby_discovery", "{\"granted\":false}");
      assertThat(w.friends(ana, "")).isEmpty();
      w.consent(bo, "nearby_discovery", "{\"granted\":true,\"level\":\"friends\"}");
      assertThat(w.friends(ana, "")).containsExactly(bo);

      // Ana takes Bo off her list: no longer mutual.
      w.knows(ana, 3, 6, 7);
      assertThat(w.friends(ana, "")).isEmpty();
      assertThat(w.friends(bo, "")).isEmpty();
      w.knows(ana, 2);
      // Erased, Bo is no one's friend.
      assertThat(w.http().delete("/v1/users/" + bo, TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);
      assertThat(w.friends(ana, "")).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void friends_nearby_is_for_the_person_and_services_with_nearby_discovery(String kind) {
    try (World w = World.start(kind, dir)) {
      String ana = w.person("friends", LAT, LON); // 1
      String bo = w.person("friends", LAT, LON); // 2
      w.knows(ana, 2);
      w.knows(bo, 1);
      String token = w.server().signIn("sms", "+4915199000001");
      Http.Response own = w.http().get("/v1/users/" + ana + "/nearby/friends", token);
      assertThat(own.status()).as("%s", own).isEqualTo(200);
      assertThat(own.json().get("friends").get(0).get("userId").asText()).isEqualTo(bo);

      assertProblem(w.http().get("/v1/users/" + bo + "/nearby/friends", token), 404);
      assertProblem(w.http().get("/v1/users/" + ana + "/nearby/friends", w.chat()), 403);
      assertProblem(
          w.http().get("/v1/users/" + ana + "/nearby/friends", TestServer.ADMIN_TOKEN), 403);
      assertProblem(w.http().get("/v1/users/" + ana + "/nearby/friends", null), 401);
      assertProblem(
          w.http().get("/v1/users/" + ana + "/nearby/friends?radiusKm=0&limit=x", w.nearby()),
          400,
          "radiusKm",
          "limit");
      // The service's read is in Ana's access log: her position and her contact list were used.
      assertThat(w.friends(ana, "")).containsExactly(bo);
      Http.Response log = w.http().get("/v1/users/" + ana + "/access-log", TestServer.ADMIN_TOKEN);
      assertThat(log.text()).contains("service:nearby").contains("communication.contacts");
    }
  }
}
