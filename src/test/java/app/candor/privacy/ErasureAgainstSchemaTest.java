package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.store.Database;
import app.candor.testing.Http;
import app.candor.testing.TestDatabases;
import app.candor.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Erasure checked against the schema, not per provider: a person with data in every category that
 * exists is erased over HTTP, then every table the database's own catalogue lists ({@code
 * sqlite_master} and {@code pragma_table_info}, or {@code information_schema.columns} in the test's
 * schema) is read, every text and binary column of every row, and nothing about the person is left:
 * not their id, not their plaintext (name, phone, email, a property value, a feature name only they
 * used, their precise coordinates), and no value that only rows about them held before
 * (ciphertexts, blind indexes, hashes, lists). On SQLite the database files, the write-ahead log
 * included, are scanned for the same. No table is named in advance, so a table added later is
 * checked the day it exists.
 */
class ErasureAgainstSchemaTest {
  private static final double LAT = 48.8566917;
  private static final double LON = 2.3522419;

  /** Values shorter than this are too common to say anything about one person (e.g. "track"). */
  private static final int DISTINCT = 16;

  @TempDir Path dir;

  /** One text or binary column, as the database's catalogue lists it. */
  record Column(String table, String name, boolean binary) {}

  /** One non-null value of a text or binary column (binary ones in hex). */
  record Cell(Column column, int row, String value) {
    boolean holds(String needle) {
      return value.contains(
          column.binary()
              ? HexFormat.of().formatHex(needle.getBytes(StandardCharsets.UTF_8))
              : needle);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void an_erased_person_leaves_nothing_in_any_table_the_catalogue_lists_nor_in_the_files(
      String kind) throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String name = "Xanthe Erasmus-Probe " + tag;
    String phone = "+49151" + (10_000_000 + Math.abs(tag.hashCode() % 89_999_999));
    String email = "xanthe." + tag + "@erasure-probe.example";
    String feature = "probe-feature-only-xanthe-" + tag;
    String property = "probe-property-value-" + tag;
    String device = "Probe-Device-" + tag;
    String lat = String.format(Locale.ROOT, "%.7f", LAT);
    String lon = String.format(Locale.ROOT, "%.7f", LON);

    try (TestServer server = TestServer.start(kind, dir.resolve(kind))) {
      Http http = server.http();
      String accounts = server.service("accounts", "account");
      String chat = server.service("chat", "messaging");
      String maps = server.service("maps", "location");
      String nearby = server.service("nearby", "nearby_discovery");
      String feed = server.service("feed", "analytics");

      // personal: the account, both addresses verified by sign-in, a session token; and a code
      // asked for and never used.
      String id =
          server.personFrom(
              accounts,
              "{\"name\":\""
                  + name
                  + "\",\"phone\":\""
                  + phone
                  + "\",\"email\":\""
                  + email
                  + "\",\"birthDate\":\"1984-02-29\",\"gender\":\"Probe Gender "
                  + tag
                  + "\",\"occupation\":\"Probe Occupation "
                  + tag
                  + "\"}");
      server.signIn("email", email);
      String token = server.signIn("sms", phone);
      assertThat(
              http.post("/v1/auth/otp", null, "{\"channel\":\"email\",\"to\":\"" + email + "\"}")
                  .status())
          .isEqualTo(202);

      // consents, given by the person and relayed by a service.
      for (String purpose : List.of("analytics", "personalization", "nearby_discovery")) {
        ok(http.put(consent(id, purpose), token, "{\"granted\":true}"), 200);
      }
      ok(
          http.put(
              consent(id, "location"), accounts, "{\"granted\":true,\"level\":\"approximate\"}"),
          200);

      // location: an approximate update, then precise ones; a neighbour sees the person nearby.
      ok(http.post(locations(id), maps, position(LAT + 0.01, LON)), 202);
      ok(http.put(consent(id, "location"), token, "{\"granted\":true,\"level\":\"precise\"}"), 200);
      ok(http.post(locations(id), maps, position(LAT, LON)), 202);
      String neighbour = server.person(accounts);
      ok(
          http.put(
              consent(neighbour, "location"), accounts, "{\"granted\":true,\"level\":\"precise\"}"),
          200);
      ok(http.put(consent(neighbour, "nearby_discovery"), accounts, "{\"granted\":true}"), 200);
      ok(http.post(locations(neighbour), maps, position(LAT + 0.001, LON + 0.001)), 202);
      Http.Response shown = http.get("/v1/users/" + neighbour + "/nearby/people", nearby);
      ok(shown, 200);
      assertThat(shown.json().get("people").findValuesAsText("userId")).contains(id);
      ok(http.get("/v1/users/" + id + "/nearby/people", nearby), 200);

      // usage: a session with a feature only this person used, with properties and context.
      Instant now = Instant.now();
      StringBuilder batch = new StringBuilder("{\"batch\":[");
      String[][] events = {
        {"session_start", null}, {"track", feature}, {"screen", "home"}, {"session_end", null}
      };
      for (int i = 0; i < events.length; i++) {
        batch
            .append(i == 0 ? "" : ",")
            .append("{\"messageId\":\"probe-")
            .append(tag)
            .append('-')
            .append(i)
            .append("\",\"userId\":\"")
            .append(id)
            .append("\",\"type\":\"")
            .append(events[i][0])
            .append('"')
            .append(events[i][1] == null ? "" : ",\"name\":\"" + events[i][1] + "\"")
            .append(",\"timestamp\":\"")
            .append(now.minusSeconds(60L - i))
            .append("\",\"properties\":{\"note\":\"")
            .append(property)
            .append("\"},\"context\":{\"device\":\"")
            .append(device)
            .append("\"}}");
      }
      Http.Response sent = http.post("/v1/events", feed, batch.append("]}").toString());
      ok(sent, 200);
      assertThat(sent.json().get("accepted").asInt()).isEqualTo(events.length);

      // access log: a service reads the profile for its purpose.
      ok(http.get("/v1/users/" + id, chat, "Candor-Purpose", "messaging"), 200);

      // communication: a group with the neighbour, a message in it each, a report, a call.
      String group =
          http.post(
                  "/v1/conversations",
                  chat,
                  "{\"type\":\"group\",\"members\":[\""
                      + id
                      + "\",\""
                      + neighbour
                      + "\"],\"title\":\"Probe Group "
                      + tag
                      + "\"}")
              .json()
              .get("id")
              .asText();
      String said = "Probe Message " + tag;
      Http.Response mine =
          http.post(
              "/v1/conversations/" + group + "/messages",
              chat,
              "{\"from\":\""
                  + id
                  + "\",\"clientMessageId\":\"probe-"
                  + tag
                  + "\",\"kind\":\"text\",\"text\":\""
                  + said
                  + "\"}");
      ok(mine, 201);
      Http.Response theirs =
          http.post(
              "/v1/conversations/" + group + "/messages",
              chat,
              "{\"from\":\""
                  + neighbour
                  + "\",\"clientMessageId\":\"n-1\",\"kind\":\"text\",\"text\":\"hi\"}");
      ok(theirs, 201);
      ok(
          http.post(
              "/v1/messages/" + theirs.json().get("id").asText() + "/report",
              chat,
              "{\"by\":\"" + id + "\",\"reason\":\"other\"}"),
          202);
      ok(
          http.post(
              "/v1/calls",
              chat,
              "{\"from\":\""
                  + id
                  + "\",\"to\":[\""
                  + neighbour
                  + "\"],\"kind\":\"voice\",\"startedAt\":\"2026-01-01T10:00:00Z\","
                  + "\"outcome\":\"missed\"}"),
          201);
      // communication: a picture shared, stored encrypted in the blob store.
      String picture = "probe-picture-bytes-" + tag;
      ok(
          http.send(
              "POST", "/v1/media", chat, picture, "Content-Type", "image/png", "Candor-Owner", id),
          201);

      server.candor().usage().catchUp();
      assertThat(http.get("/v1/users/" + id + "/access-log", token).json().get("entries").size())
          .isGreaterThanOrEqualTo(2);

      List<String> plaintext =
          List.of(
              name,
              phone,
              phone.substring(1),
              email,
              property,
              device,
              feature,
              lat,
              lon,
              "Probe Message " + tag,
              "Probe Group " + tag,
              picture);
      Database db = server.candor().database();

      // Before: the scan sees the person wherever they are, in every category.
      List<Column> columns = columns(db);
      Set<String> tables = columns.stream().map(Column::table).collect(Collectors.toSet());
      assertThat(tables)
          .as("tables with a text or binary column, from the catalogue")
          .contains(
              "people",
              "subject_keys",
              "user_tokens",
              "otp_verifications",
              "consents",
              "consent_events",
              "access_log",
              "access_log_daily",
              "usage_events",
              "usage_sessions",
              "usage_gaps",
              "usage_feature_days",
              "location_points",
              "location_log",
              "location_current",
              "erasure_receipts");
      List<Cell> before = cells(db, columns);
      assertThat(tablesHolding(before, id))
          .contains(
              "people",
              "subject_keys",
              "user_tokens",
              "otp_verifications",
              "consents",
              "consent_events",
              "access_log",
              "access_log_daily",
              "usage_events",
              "usage_sessions",
              "usage_person_days",
              "location_current",
              "conversation_members",
              "messages",
              "message_reports",
              "calls",
              "call_participants",
              "media");
      // A position is in the log until it is moved, about a second later, into location_points.
      assertThat(tablesHolding(before, id)).containsAnyOf("location_log", "location_points");
      assertThat(tablesHolding(before, feature))
          .contains("usage_events", "usage_gaps", "usage_feature_days", "usage_person_days");
      Set<String> onlyTheirs = onlyInRowsHolding(before, id);
      assertThat(onlyTheirs).as("values only rows about the person hold").hasSizeGreaterThan(10);
      if (kind.equals(TestDatabases.SQLITE)) {
        assertThat(filesHolding(List.of(id, feature))).containsKeys(id, feature);
      }

      // Erasure, by the person, over HTTP.
      ok(http.delete("/v1/users/" + id, token), 200);
      server.candor().usage().catchUp();

      // After: nothing about them in any row of any table.
      List<Cell> after = cells(db, columns(db));
      Map<String, List<String>> left = new TreeMap<>();
      List<String> needles = new ArrayList<>();
      needles.add(id);
      needles.addAll(plaintext);
      needles.addAll(onlyTheirs);
      for (String needle : needles) {
        for (Cell c : after) {
          if (c.holds(needle)) {
            left.computeIfAbsent(needle, n -> new ArrayList<>())
                .add(c.column().table() + "." + c.column().name());
          }
        }
      }
      assertThat(left).as("left after the erasure, by value: where").isEmpty();

      // Nor in the database files, the write-ahead log included.
      if (kind.equals(TestDatabases.SQLITE)) {
        assertThat(filesHolding(needles)).as("in the files after the erasure").isEmpty();
      }

      // And the neighbour is still there.
      ok(http.get("/v1/users/" + neighbour, accounts, "Candor-Purpose", "account"), 200);
    }
  }

  private static void ok(Http.Response r, int status) {
    assertThat(r.status()).as("%s", r).isEqualTo(status);
  }

  private static String consent(String id, String purpose) {
    return "/v1/users/" + id + "/consents/" + purpose;
  }

  private static String locations(String id) {
    return "/v1/users/" + id + "/locations";
  }

  private static String position(double lat, double lon) {
    return String.format(
        Locale.ROOT,
        "{\"lat\":%.7f,\"lon\":%.7f,\"accuracyM\":7.25,\"timestamp\":\"%s\"}",
        lat,
        lon,
        Instant.now());
  }

  /** Every text and binary column of every table, from the database's own catalogue. */
  static List<Column> columns(Database db) {
    String sql =
        db.dialect() == Database.Dialect.SQLITE
            ? "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p"
                + " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
            : "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
                + " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
                + " AND t.table_name = c.table_name"
                + " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
                + " ORDER BY c.table_name, c.ordinal_position";
    List<String[]> listed =
        db.withHandle(
            h ->
                h.createQuery(sql)
                    .map(
                        (rs, ctx) ->
                            new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .list());
    List<Column> out = new ArrayList<>();
    for (String[] c : listed) {
      String type = c[2] == null ? "" : c[2].toUpperCase(Locale.ROOT);
      boolean binary = type.contains("BLOB") || type.equals("BYTEA");
      boolean text =
          type.isEmpty()
              || type.contains("CHAR")
              || type.contains("TEXT")
              || type.contains("CLOB")
              || type.startsWith("JSON");
      if (binary || text) {
        out.add(new Column(c[0].toLowerCase(Locale.ROOT), c[1], binary));
      }
    }
    assertThat(out).as("text columns in the catalogue").isNotEmpty();
    return out;
  }

  /** Every non-null value of those columns, row by row. */
  static List<Cell> cells(Database db, List<Column> columns) {
    Map<String, List<Column>> byTable = new LinkedHashMap<>();
    columns.forEach(c -> byTable.computeIfAbsent(c.table(), t -> new ArrayList<>()).add(c));
    List<Cell> out = new ArrayList<>();
    db.withConnection(
        connection -> {
          try {
            read(connection, byTable, out);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          return null;
        });
    return out;
  }

  private static void read(Connection c, Map<String, List<Column>> byTable, List<Cell> out)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      for (Map.Entry<String, List<Column>> t : byTable.entrySet()) {
        String select =
            t.getValue().stream()
                .map(col -> '"' + col.name() + '"')
                .collect(Collectors.joining(", "));
        try (ResultSet rs = st.executeQuery("SELECT " + select + " FROM \"" + t.getKey() + '"')) {
          int row = 0;
          while (rs.next()) {
            for (int i = 0; i < t.getValue().size(); i++) {
              Column col = t.getValue().get(i);
              Object v = rs.getObject(i + 1);
              if (v instanceof byte[] bytes) {
                out.add(new Cell(col, row, HexFormat.of().formatHex(bytes)));
              } else if (v != null) {
                // A text column may hold a binary value on SQLite, or text in a binary one.
                String s = v.toString();
                out.add(
                    new Cell(
                        col,
                        row,
                        col.binary()
                            ? HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8))
                            : s));
              }
            }
            row++;
          }
        }
      }
    }
  }

  private static Set<String> tablesHolding(List<Cell> cells, String needle) {
    return cells.stream()
        .filter(c -> c.holds(needle))
        .map(c -> c.column().table())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The distinctive values (ciphertexts, blind indexes, hashes, lists) of the rows holding {@code
   * id} that no other row holds: what erasure must take with the person.
   */
  private static Set<String> onlyInRowsHolding(List<Cell> cells, String id) {
    Map<String, List<Cell>> rows = new LinkedHashMap<>();
    cells.forEach(
        c ->
            rows.computeIfAbsent(c.column().table() + "#" + c.row(), r -> new ArrayList<>())
                .add(c));
    Set<String> theirs = new LinkedHashSet<>();
    List<Cell> others = new ArrayList<>();
    for (List<Cell> row : rows.values()) {
      if (row.stream().anyMatch(c -> c.holds(id))) {
        row.stream()
            .filter(c -> !c.column().binary() && c.value().length() >= DISTINCT)
            .forEach(c -> theirs.add(c.value()));
      } else {
        others.addAll(row);
      }
    }
    theirs.removeIf(v -> v.contains(id) || others.stream().anyMatch(c -> c.holds(v)));
    return theirs;
  }

  /** Which of {@code needles} the files of the data directory hold (each with the file names). */
  private Map<String, List<String>> filesHolding(List<String> needles) throws IOException {
    Path data = dir.resolve(TestDatabases.SQLITE);
    List<Path> files;
    try (Stream<Path> all = Files.walk(data)) {
      files = all.filter(Files::isRegularFile).toList();
    }
    assertThat(files).contains(data.resolve("candor.db"));
    Map<String, List<String>> found = new TreeMap<>();
    boolean walSeen = false;
    for (Path file : files) {
      walSeen |= file.getFileName().toString().endsWith("-wal");
      byte[] bytes = Files.readAllBytes(file);
      for (String needle : needles) {
        if (contains(bytes, needle.getBytes(StandardCharsets.UTF_8))) {
          found.computeIfAbsent(needle, n -> new ArrayList<>()).add(file.getFileName().toString());
        }
      }
    }
    assertThat(walSeen).as("the write-ahead log is among the files scanned").isTrue();
    return found;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
