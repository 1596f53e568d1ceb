package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted at rest, erasable for real: the raw bytes of the embedded database (main file, WAL and
 * shared memory) never hold a person's contact details in the clear, and after an erasure nothing
 * stored about the person (ciphertexts, blind indexes, wrapped key, token hashes) remains in them.
 */
class PlaintextAtRestTest {

  @TempDir Path dir;

  private record Someone(
      String name, String phone, String email, String birthDate, String gender, String occupation) {
    String json() {
      return String.format(
          "{\"name\":\"%s\",\"phone\":\"%s\",\"email\":\"%s\",\"birthDate\":\"%s\","
              + "\"gender\":\"%s\",\"occupation\":\"%s\"}",
          name, phone, email, birthDate, gender, occupation);
    }

    List<String> secrets() {
      // The phone also without its plus sign, as digits might be stored that way.
      return List.of(
          name, phone, phone.substring(1), email, birthDate, gender, occupation, "Quillfeather");
    }
  }

  private static Someone someone(int n) {
    return new Someone(
        "Zephyrine Quillfeather " + n,
        String.format("+49151884242%02d", n),
        "zephyrine.quill" + n + "@plaintext-probe.example",
        String.format("1977-03-%02d", 10 + n),
        "Agender Zq" + n,
        "Lighthouse Keeper Zq" + n);
  }

  @Test
  void no_contact_detail_is_stored_in_the_clear_and_an_erased_person_leaves_no_trace()
      throws IOException {
    try (TestServer server = TestServer.sqlite(dir)) {
      Http http = server.http();
      String chat = server.service("chat", "account", "messaging", "safety");

      // Someone asks for a code before having an account: the request is kept as a blind index.
      Someone erased = someone(1);
      assertThat(
              http.post(
                      "/v1/auth/otp",
                      null,
                      "{\"channel\":\"email\",\"to\":\"" + erased.email() + "\"}")
                  .status())
          .isEqualTo(202);

      List<Someone> people = List.of(erased, someone(2), someone(3), someone(4));
      List<String> ids = new ArrayList<>();
      for (Someone p : people) {
        ids.add(server.personFrom(chat, p.json()));
      }
      String erasedId = ids.get(0);

      // The person signs in, changes a field, makes choices and is read by a service.
      String token = server.signIn("sms", erased.phone());
      String oldOccupationCt = column(server, "occupation_ct", erasedId);
      assertThat(
              http.patch(
                      "/v1/users/" + erasedId,
                      token,
                      "{\"occupation\":\"Glassblower Zq1\",\"gender\":null}")
                  .status())
          .isEqualTo(200);
      assertThat(
              http.put(
                      "/v1/users/" + erasedId + "/consents/personalization",
                      token,
                      "{\"granted\":true}")
                  .status())
          .isEqualTo(200);
      assertThat(http.get("/v1/users/" + erasedId, chat, "Candor-Purpose", "messaging").status())
          .isEqualTo(200);
      // A precise position: stored only encrypted.
      assertThat(
              http.put(
                      "/v1/users/" + erasedId + "/consents/location",
                      token,
                      "{\"granted\":true,\"level\":\"precise\"}")
                  .status())
          .isEqualTo(200);
      assertThat(
              http.post(
                      "/v1/users/" + erasedId + "/locations",
                      token,
                      "{\"lat\":48.8566917,\"lon\":2.3522419,\"accuracyM\":7.25,\"timestamp\":\""
                          + java.time.Instant.now()
                          + "\"}")
                  .status())
          .isEqualTo(202);

      // 1. Nothing is in the clear, for anyone.
      List<String> secrets = new ArrayList<>(List.of("Glassblower Zq1", "48.8566917", "2.3522419"));
      people.forEach(p -> secrets.addAll(p.secrets()));
      assertThat(dbFiles()).isNotEmpty();
      for (Path file : dbFiles()) {
        assertAbsent(file, secrets);
      }

      // What is stored about the person, to look for after the erasure.
      Map<String, String> stored = storedAbout(server, erasedId);
      stored.put("old occupation ciphertext", oldOccupationCt);
      // The scan does find stored values while they exist (or it could never fail).
      assertThat(anyFileContains(stored.get("phone blind index"))).isTrue();
      assertThat(anyFileContains(stored.get("wrapped key"))).isTrue();

      // 2. Erasure.
      Http.Response erasure = http.delete("/v1/users/" + erasedId, token);
      assertThat(erasure.status()).isEqualTo(200);

      Integer keys =
          server
              .candor()
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM subject_keys WHERE subject_id = :s")
                          .bind("s", erasedId)
                          .mapTo(Integer.class)
                          .one());
      assertThat(keys).as("wrapped key rows of the erased person").isZero();

      for (Path file : dbFiles()) {
        byte[] bytes = Files.readAllBytes(file);
        stored.forEach(
            (what, value) ->
                assertThat(contains(bytes, value))
                    .as(what + " of the erased person still in " + file.getFileName())
                    .isFalse());
      }
      for (Path file : dbFiles()) {
        assertAbsent(file, secrets);
      }

      // 3. No route tells anything about them.
      List<Http.Response> answers = new ArrayList<>();
      String u = "/v1/users/" + erasedId;
      answers.add(http.get(u, chat, "Candor-Purpose", "account"));
      answers.add(http.get(u, TestServer.ADMIN_TOKEN, "Candor-Purpose", "safety"));
      answers.add(http.get(u + "/data", TestServer.ADMIN_TOKEN));
      answers.add(http.get(u + "/export", TestServer.ADMIN_TOKEN));
      answers.add(http.get(u + "/consents", chat));
      answers.add(http.get(u + "/consents/history", TestServer.ADMIN_TOKEN));
      answers.add(http.get(u + "/access-log", TestServer.ADMIN_TOKEN));
      answers.add(http.patch(u, chat, "{\"name\":\"Someone Else\"}"));
      answers.add(http.put(u + "/consents/analytics", chat, "{\"granted\":true}"));
      answers.add(http.delete(u, TestServer.ADMIN_TOKEN));
      for (Http.Response answer : answers) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
      }
      Http.Response withOldToken = http.get(u, token);
      assertThat(withOldToken.status()).isEqualTo(401);
      answers.add(withOldToken);
      answers.add(http.get("/v1/admin/outbox", TestServer.ADMIN_TOKEN));
      for (Http.Response answer : answers) {
        for (String secret : erased.secrets()) {
          assertThat(answer.text()).doesNotContain(secret);
        }
      }

      // The others are untouched.
      Http.Response other = http.get("/v1/users/" + ids.get(1), chat, "Candor-Purpose", "account");
      assertThat(other.status()).isEqualTo(200);
      assertThat(other.json().get("name").asText()).isEqualTo(people.get(1).name());
      assertThat(other.json().get("email").asText()).isEqualTo(people.get(1).email());
    }
  }

  private List<Path> dbFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String name : List.of("candor.db", "candor.db-wal", "candor.db-shm")) {
      Path file = dir.resolve(name);
      if (Files.exists(file)) {
        files.add(file);
      }
    }
    // Anything else written to the data dir (logs, temp files) must not hold data either.
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile).filter(f -> !files.contains(f)).forEach(files::add);
    }
    assertThat(files).contains(dir.resolve("candor.db"));
    return files;
  }

  private boolean anyFileContains(String value) throws IOException {
    for (Path file : dbFiles()) {
      if (contains(Files.readAllBytes(file), value)) {
        return true;
      }
    }
    return false;
  }

  private static void assertAbsent(Path file, List<String> secrets) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (String secret : secrets) {
      assertThat(contains(bytes, secret))
          .as("'" + secret + "' in the clear in " + file.getFileName())
          .isFalse();
    }
  }

  private static String column(TestServer server, String column, String id) {
    return server
        .candor()
        .database()
        .withHandle(
            h ->
                h.createQuery("SELECT " + column + " FROM people WHERE subject_id = :s")
                    .bind("s", id)
                    .mapTo(String.class)
                    .one());
  }

  private static Map<String, String> storedAbout(TestServer server, String id) {
    return server
        .candor()
        .database()
        .withHandle(
            h -> {
              Map<String, String> out = new LinkedHashMap<>();
              for (String c :
                  List.of(
                      "name_ct",
                      "phone_ct",
                      "email_ct",
                      "birth_date_ct",
                      "occupation_ct",
                      "phone_bidx",
                      "email_bidx")) {
                String value = one(h, "SELECT " + c + " FROM people WHERE subject_id = :s", id);
                out.put(c.endsWith("_bidx") ? c.replace("_bidx", " blind index") : c, value);
              }
              out.put(
                  "wrapped key",
                  one(h, "SELECT wrapped_keyset FROM subject_keys WHERE subject_id = :s", id));
              out.put(
                  "token hash",
                  one(h, "SELECT token_hash FROM user_tokens WHERE subject_id = :s", id));
              List<String> targets =
                  h.createQuery(
                          "SELECT DISTINCT target_bidx FROM otp_verifications o WHERE"
                              + " o.subject_id = :s OR o.target_bidx IN (SELECT p.email_bidx"
                              + " FROM people p WHERE p.subject_id = :s)")
                      .bind("s", id)
                      .mapTo(String.class)
                      .list();
              assertThat(targets).hasSize(2);
              for (int i = 0; i < targets.size(); i++) {
                out.put("code address blind index " + i, targets.get(i));
              }
              return out;
            });
  }

  private static String one(Handle h, String sql, String id) {
    String value = h.createQuery(sql).bind("s", id).mapTo(String.class).one();
    assertThat(value).as(sql).isNotBlank();
    return value;
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i <= haystack.length - n.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
