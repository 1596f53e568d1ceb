package app.candor.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Migration V12: people signed in before it keep their sessions, each given its own random session
 * id; services registered before it stay active, their keys untouched.
 */
class RevocationMigrationTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void sessions_get_distinct_ids_and_services_stay_active(String kind) {
    DataSource source = TestDatabases.dataSource(kind, dir);
    TestDatabases.migrate(source, kind, "10");
    Jdbi jdbi = Jdbi.create(source);
    jdbi.useHandle(
        h -> {
          for (int i = 0; i < 3; i++) {
            h.execute(
                "INSERT INTO user_tokens (token_hash, subject_id, created_at, expires_at)"
                    + " VALUES (?, 'ana', ?, ?)",
                "hash-" + i,
                1000L + i,
                90_000L + i);
          }
          h.execute(
              "INSERT INTO services (id, name, purposes, key_hash, created_at)"
                  + " VALUES ('s1', 'chat', 'account', 'key-hash', 5)");
        });

    TestDatabases.migrate(source, kind, "12");

    jdbi.useHandle(
        h -> {
          List<String> ids =
              h.createQuery("SELECT session_id FROM user_tokens ORDER BY created_at")
                  .mapTo(String.class)
                  .list();
          assertThat(ids).hasSize(3).doesNotHaveDuplicates();
          ids.forEach(id -> assertThat(UserTokens.isSessionId(id)).as(id).isTrue());
          assertThat(
                  h.createQuery("SELECT COUNT(*) FROM user_tokens WHERE session_id LIKE 'hash%'")
                      .mapTo(Long.class)
                      .one())
              .isZero();
          assertThat(
                  h.createQuery(
                          "SELECT key_hash FROM services WHERE id = 's1' AND revoked_at IS NULL")
                      .mapTo(String.class)
                      .one())
              .isEqualTo("key-hash");
        });
  }
}
