package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.crypto.FieldCipher;
import app.candor.testing.TestDatabases;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V7 turns the stored event details from base64 text into ciphertext bytes: every detail
 * written before it still decrypts after it, an absent detail stays absent, and positions, times
 * and the other columns are kept.
 */
class DetailBytesMigrationTest {
  @TempDir Path dir;

  @Test
  void details_become_bytes_sqlite() throws Exception {
    check(TestDatabases.dataSource(TestDatabases.SQLITE, dir), TestDatabases.SQLITE);
  }

  @Test
  void details_become_bytes_postgresql() throws Exception {
    Assumptions.assumeTrue(TestDatabases.pgUrl().isPresent());
    check(TestDatabases.dataSource(TestDatabases.POSTGRESQL, dir), TestDatabases.POSTGRESQL);
  }

  private static void check(DataSource source, String dialect) throws Exception {
    AeadConfig.register();
    Aead aead =
        KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
    String detail = "{\"properties\":{\"plan\":\"gold\"},\"context\":{\"os\":\"iOS 18.1\"}}";
    String stored =
        FieldCipher.encrypt(aead, "ana", "usage.detail", detail.getBytes(StandardCharsets.UTF_8));
    TestDatabases.migrate(source, dialect, "6");
    Jdbi jdbi = Jdbi.create(source);
    jdbi.useHandle(
        h -> {
          h.execute(
              "INSERT INTO usage_events (seq, subject_id, message_id, at, type, name, service,"
                  + " received_at, detail_ct) VALUES (7, 'ana', 'm-1', 1000, 'track', 'chat.send',"
                  + " 'app', 1001, ?)",
              stored);
          h.execute(
              "INSERT INTO usage_events (seq, subject_id, message_id, at, type, name, service,"
                  + " received_at, detail_ct) VALUES (9, 'ana', 'm-2', 2000, 'session_start',"
                  + " 'session_start', 'app', 2001, NULL)");
        });
    TestDatabases.migrate(source, dialect, "7");
    List<List<Object>> rows =
        jdbi.withHandle(
            h ->
                h.createQuery(
                        "SELECT seq, subject_id, message_id, at, type, name, service, received_at,"
                            + " detail_ct FROM usage_events ORDER BY seq")
                    .map(
                        (rs, ctx) ->
                            Arrays.<Object>asList(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getLong(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getString(7),
                                rs.getLong(8),
                                rs.getBytes(9)))
                    .list());
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).subList(0, 8))
        .containsExactly(7L, "ana", "m-1", 1000L, "track", "chat.send", "app", 1001L);
    byte[] bytes = (byte[]) rows.get(0).get(8);
    assertThat(bytes).hasSize(java.util.Base64.getDecoder().decode(stored).length);
    assertThat(FieldCipher.decrypt(aead, "ana", "usage.detail", bytes)).isEqualTo(detail);
    assertThat(rows.get(1).subList(0, 8))
        .containsExactly(9L, "ana", "m-2", 2000L, "session_start", "session_start", "app", 2001L);
    assertThat(rows.get(1).get(8)).isNull();
    // The time index the retention purge uses is back (SQLite rebuilt the table).
    if (dialect.equals("sqlite")) {
      int indexes =
          jdbi.withHandle(
              h ->
                  h.createQuery(
                          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
                              + " AND name = 'usage_events_at'")
                      .mapTo(Integer.class)
                      .one());
      assertThat(indexes).isEqualTo(1);
    }
  }
}
