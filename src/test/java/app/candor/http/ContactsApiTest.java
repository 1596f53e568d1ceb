package app.candor.http;

import static app.candor.http.HttpTesting.assertProblem;
import static app.candor.http.HttpTesting.json;
import static app.candor.http.HttpTesting.rows;
import static org.assertj.core.api.Assertions.assertThat;

import app.candor.communication.Contacts;
import app.candor.testing.AtRest;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contact lists over HTTP on both databases: stored as blind indexes with names encrypted, matched
 * to people on the app by phone and by email, replaced by each upload, bad entries and oversize
 * lists refused with nothing written, a daily limit on new addresses, strangers told the list does
 * not exist, and withdrawal and erasure deleting it.
 */
class ContactsApiTest {

  @TempDir Path dir;

  static List<String> kinds() {
    return TestDatabases.kinds();
  }

  /** A server, a chat service with messaging, and three people (Ana signed in). */
  record World(
      TestServer server, Http http, String accounts, String chat, String ana, String bo, String cy)
      implements AutoCloseable {
    static World start(String kind, Path dir) {
      TestServer server = TestServer.start(kind, dir);
      String account = server.service("accounts", "account");
      return new World(
          server,
          server.http(),
          account,
          server.service("chat", "messaging"),
          server.person(account),
          server.person(account),
          server.person(account));
    }

    /** TestServer.person numbers people from 1: Ana is 1, Bo 2, Cy 3. */
    String anaToken() {
      return server.signIn("sms", "+4915199000001");
    }

    Http.Response put(String owner, String token, List<Map<String, String>> entries) {
      return http.put(contacts(owner), token, json(Map.of("contacts", entries)));
    }

    @Override
    public void close() {
      server.close();
    }
  }

  private static String contacts(String owner) {
    return "/v1/users/" + owner + "/contacts";
  }

  private static Map<String, String> entry(String... kv) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put(kv[i], kv[i + 1]);
    }
    return out;
  }

  private static List<Map<String, String>> emails(String prefix, int count) {
    List<Map<String, String>> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(entry("email", prefix + i + "@bulk.example"));
    }
    return out;
  }

  private static List<String> onApp(Http.Response r) {
    List<String> out = new ArrayList<>();
    r.json().get("onApp").forEach(p -> out.add(p.get("userId").asText()));
    return out;
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void an_upload_is_matched_to_people_on_the_app_by_phone_and_by_email_and_read_back(String kind) {
    try (World w = World.start(kind, dir)) {
      String token = w.anaToken();
      List<Map<String, String>> book =
          List.of(
              // Bo's phone as people type it: spaces, and the same number in E.164 is his.
              entry("phone", "+49 151 99000002", "name", "Bo from climbing"),
              // Cy's email in capitals.
              entry("email", "ANA3@Example.org", "name", "Cy"),
              entry("phone", "+4915177000999", "email", "nobody@example.net", "name", "Dee"),
              // Ana herself is never listed as on the app.
              entry("email", "ana1@example.org"));
      Http.Response put = w.put(w.ana(), token, book);
      assertThat(put.status()).as("%s", put).isEqualTo(200);
      assertThat(put.json().get("stored").asInt()).isEqualTo(4);
      assertThat(onApp(put)).containsExactly(w.bo(), w.cy());
      assertThat(put.json().get("onApp").get(0).get("name").asText()).isEqualTo("Ana Example 2");
      assertThat(rows(w.server(), "contacts")).isEqualTo(4);

      Http.Response read = w.http().get(contacts(w.ana()), token);
      assertThat(read.status()).as("%s", read).isEqualTo(200);
      assertThat(read.json()).isEqualTo(put.json());
      // A service with messaging reads the same, logged in Ana's access log.
      Http.Response byService = w.http().get(contacts(w.ana()), w.chat());
      assertThat(byService.json()).isEqualTo(put.json());
      assertThat(accessLog(w, w.ana()))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .containsExactly("service:chat", "messaging", "communication.contacts"));
      // Bo and Cy see that Ana was shown their name.
      assertThat(shownTo(w, w.bo())).contains("messaging");
      assertThat(w.http().get("/v1/users/" + w.bo() + "/access-log", TestServer.ADMIN_TOKEN).text())
          .contains("to people who have your phone or email in their contacts");

      // An upload replaces the list.
      Http.Response replaced =
          w.put(w.ana(), w.chat(), List.of(entry("email", "ana3@example.org", "name", "Cy")));
      assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
      assertThat(replaced.json().get("stored").asInt()).isEqualTo(1);
      assertThat(onApp(replaced)).containsExactly(w.cy());
      assertThat(rows(w.server(), "contacts")).isEqualTo(1);
      Http.Response empty = w.put(w.ana(), token, List.of());
      assertThat(empty.json().get("stored").asInt()).isZero();
      assertThat(empty.json().get("onApp")).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void bad_entries_and_oversize_lists_are_400_naming_each_and_nothing_is_written(String kind) {
    try (World w = World.start(kind, dir)) {
      String token = w.anaToken();
      assertThat(w.put(w.ana(), token, List.of(entry("email", "bo@example.org"))).status())
          .isEqualTo(200);

      List<Map<String, String>> bad =
          List.of(
              entry("phone", "0151 not a number", "name", "Bad phone"),
              entry("email", "not-an-email"),
              entry("name", "No address"),
              entry("phone", "+4915177000001", "name", "x".repeat(Contacts.MAX_NAME + 1)),
              entry("email", "fine@example.org"));
      assertProblem(
          w.put(w.ana(), token, bad),
          400,
          "contacts[0].phone",
          "contacts[1].email",
          "contacts[2].phone",
          "contacts[3].name");
      assertProblem(
          w.put(w.ana(), token, List.of(entry("email", "ok@example.org", "fax", "+4930000000"))),
          400,
          "contacts[0].fax");
      assertProblem(
          w.http().put(contacts(w.ana()), token, "{\"contacts\":[{\"phone\":15551234}, 7]}"),
          400,
          "contacts[0].phone",
          "contacts[1]");
      assertProblem(
          w.http().put(contacts(w.ana()), token, "{\"people\":[]}"), 400, "people", "contacts");
      assertProblem(
          w.put(w.ana(), token, emails("over", Contacts.MAX_ENTRIES + 1)), 400, "contacts");

      // Still the one entry from before, and no new address counted.
      assertThat(w.http().get(contacts(w.ana()), token).json().get("stored").asInt()).isEqualTo(1);
      assertThat(intake(w, w.ana())).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void a_day_adds_at_most_ten_thousand_new_addresses_then_429_writes_nothing(String kind) {
    try (World w = World.start(kind, dir)) {
      String token = w.anaToken();
      List<Map<String, String>> first = emails("first", Contacts.MAX_ENTRIES);
      List<Map<String, String>> second = emails("second", Contacts.MAX_ENTRIES);
      assertThat(w.put(w.ana(), token, first).status()).isEqualTo(200);
      assertThat(w.put(w.ana(), w.chat(), second).status()).isEqualTo(200);
      assertThat(intake(w, w.ana())).isEqualTo(Contacts.DAILY_NEW);
      // The same book again adds nothing new: allowed.
      assertThat(w.put(w.ana(), token, second).status()).isEqualTo(200);

      // One address new to the list, past the limit: 429, and the list is as it was.
      List<Map<String, String>> more = new ArrayList<>(second.subList(0, 10));
      more.add(entry("email", "one-more@bulk.example"));
      assertProblem(w.put(w.ana(), token, more), 429);
      // Going back to the first book would be 5,000 new addresses again.
      assertProblem(w.put(w.ana(), w.chat(), first), 429);
      assertThat(rows(w.server(), "contacts")).isEqualTo(Contacts.MAX_ENTRIES);
      assertThat(intake(w, w.ana())).isEqualTo(Contacts.DAILY_NEW);
      // Another person has a day of their own.
      assertThat(w.put(w.bo(), w.chat(), emails("bo", 10)).status()).isEqualTo(200);

      // The next day (yesterday's count moved back a day), Ana may add again.
      w.server()
          .candor()
          .database()
          .<Integer, RuntimeException>withHandle(
              h ->
                  h.createUpdate("UPDATE contact_intake SET day = day - 1 WHERE subject_id = :s")
                      .bind("s", w.ana())
                      .execute());
      Http.Response next = w.put(w.ana(), token, more);
      assertThat(next.status()).as("%s", next).isEqualTo(200);
      assertThat(intake(w, w.ana())).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void another_persons_list_does_not_exist_for_them_and_needs_messaging_for_a_service(String kind) {
    try (World w = World.start(kind, dir)) {
      String token = w.anaToken();
      List<Map<String, String>> book = List.of(entry("email", "ana1@example.org"));
      assertThat(w.put(w.bo(), w.chat(), book).status()).isEqualTo(200);

      assertProblem(w.put(w.bo(), token, book), 404);
      assertProblem(w.http().get(contacts(w.bo()), token), 404);
      assertProblem(w.http().delete(contacts(w.bo()), token), 404);
      String unknown = "00000000-0000-4000-8000-000000000000";
      assertProblem(w.put(unknown, w.chat(), book), 404);
      assertProblem(w.http().get(contacts(unknown), w.chat()), 404);
      String analytics = w.server().service("feed", "analytics");
      assertProblem(w.put(w.bo(), analytics, book), 403);
      assertProblem(w.http().get(contacts(w.bo()), analytics), 403);
      assertProblem(w.put(w.bo(), TestServer.ADMIN_TOKEN, book), 403);
      assertProblem(w.put(w.bo(), null, book), 401);

      // Bo's list is untouched.
      assertThat(w.http().get(contacts(w.bo()), w.chat()).json().get("stored").asInt())
          .isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void no_address_or_name_is_at_rest_in_the_clear(String kind) throws Exception {
    try (World w = World.start(kind, dir)) {
      String phone = "+4915177123457";
      String email = "zebediah.quill@contacts-probe.example";
      String name = "Zebediah Quillfeather-Probe";
      String bo = "ana2@example.org";
      Http.Response put =
          w.put(
              w.ana(),
              w.chat(),
              List.of(
                  entry("phone", phone, "email", email, "name", name),
                  entry("email", bo, "name", "Bartholomew Probe-Contact")));
      assertThat(put.status()).as("%s", put).isEqualTo(200);
      assertThat(onApp(put)).containsExactly(w.bo());
      assertThat(
              AtRest.found(
                  w.server(),
                  dir,
                  List.of(phone, phone.substring(1), email, name, "Bartholomew Probe-Contact")))
          .as("plaintext at rest")
          .isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void withdrawal_and_erasure_delete_the_list_and_an_erased_person_is_on_no_ones(String kind)
      throws Exception {
    try (World w = World.start(kind, dir)) {
      String token = w.anaToken();
      List<Map<String, String>> book =
          List.of(
              entry("email", "ana2@example.org", "name", "Bo Contact"),
              entry("phone", "+4915199000003", "name", "Cy Contact"),
              entry("phone", "+4915177000555"));
      assertThat(onApp(w.put(w.ana(), token, book))).containsExactly(w.bo(), w.cy());

      // The report counts the list; the export names each entry and says what matched.
      Http.Response report = w.http().get("/v1/users/" + w.ana() + "/data", token);
      JsonNode held = null;
      for (JsonNode c : report.json().get("categories")) {
        for (JsonNode item : c.get("items")) {
          if (c.get("id").asText().equals("communication")
              && item.get("field").asText().equals("contacts")) {
            held = item;
          }
        }
      }
      assertThat(held).as("the contacts in the report").isNotNull();
      assertThat(held.get("count").asInt()).isEqualTo(3);
      String csv = exported(w.http().get("/v1/users/" + w.ana() + "/export", token).body());
      List<String> lines = csv.lines().toList();
      assertThat(lines).hasSize(4);
      assertThat(lines.get(0)).isEqualTo("entry,name,hadPhone,hadEmail,onApp,addedAt");
      assertThat(lines.get(1)).startsWith("1,\"Bo Contact\",no,yes,yes,");
      assertThat(lines.get(2)).startsWith("2,\"Cy Contact\",yes,no,yes,");
      assertThat(lines.get(3)).startsWith("3,,yes,no,no,");
      assertThat(csv).doesNotContain("ana2@example.org").doesNotContain("+4915199000003");

      // Withdrawal deletes the list.
      assertThat(w.http().delete(contacts(w.ana()), token).status()).isEqualTo(204);
      assertThat(w.http().get(contacts(w.ana()), token).json().get("stored").asInt()).isZero();
      assertThat(rows(w.server(), "contacts")).isZero();

      // An erased person drops out of others' answers.
      assertThat(w.put(w.ana(), w.chat(), book).status()).isEqualTo(200);
      assertThat(w.http().delete("/v1/users/" + w.bo(), TestServer.ADMIN_TOKEN).status())
          .isEqualTo(200);
      assertThat(onApp(w.http().get(contacts(w.ana()), token))).containsExactly(w.cy());

      // Erasing the owner deletes their list and their day's count.
      assertThat(w.http().delete("/v1/users/" + w.ana(), token).status()).isEqualTo(200);
      assertThat(rows(w.server(), "contacts")).isZero();
      assertThat(rows(w.server(), "contact_intake")).isZero();
      w.server().candor().database().flushErasedPages();
      assertThat(AtRest.found(w.server(), dir, List.of("Cy Contact", w.ana()))).isEmpty();
    }
  }

  /** The export's contacts CSV. */
  private static String exported(byte[] zip) throws Exception {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().endsWith("communication-contacts.csv")) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError("no communication-contacts.csv in the export");
  }

  private static long intake(World w, String subjectId) {
    return w.server()
        .candor()
        .database()
        .<Long, RuntimeException>withHandle(
            h ->
                h.createQuery(
                        "SELECT COALESCE(SUM(added), 0) FROM contact_intake WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .mapTo(Long.class)
                    .one());
  }

  private static List<List<String>> accessLog(World w, String subjectId) {
    return w.server()
        .candor()
        .database()
        .<List<List<String>>, RuntimeException>withHandle(
            h ->
                h.createQuery(
                        "SELECT caller, purpose, fields FROM access_log WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .map((rs, ctx) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3)))
                    .list());
  }

  /** The purposes under which the person was shown to others today. */
  private static List<String> shownTo(World w, String subjectId) {
    return w.server()
        .candor()
        .database()
        .<List<String>, RuntimeException>withHandle(
            h ->
                h.createQuery("SELECT purpose FROM access_log_daily WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .mapTo(String.class)
                    .list());
  }
}
