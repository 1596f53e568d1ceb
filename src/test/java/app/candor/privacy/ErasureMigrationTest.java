package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Migration V13 takes out of rows written before it what erasure no longer leaves: the ids in
 * erasure receipts (each becomes the digest erasure now writes) and usage rollup rows counting zero
 * (with the feature names of people erased); every other row stays.
 */
class ErasureMigrationTest {
  @org.junit.jupiter.api.io.TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void receipts_keep_a_digest_instead_of_the_id_and_zero_rollup_rows_go(String kind) {
    DataSource source = TestDatabases.dataSource(kind, dir);
    TestDatabases.migrate(source, kind, "10");
    Jdbi jdbi = Jdbi.create(source);
    String erased = "5d0b5c8e-3f0e-4a57-9a43-9b7f1f2d6c11";
    String other = "0e8a7c52-1c55-4b8e-8a4e-2d8a3b9f7e00";
    jdbi.useHandle(
        h -> {
          for (String id : List.of(erased, other)) {
            h.execute(
                "INSERT INTO erasure_receipts (subject_id, erased_at, erased_counts)"
                    + " VALUES (?, 1000, '{}')",
                id);
          }
          h.execute(
              "INSERT INTO usage_gaps (feature, day, prev_day, people) VALUES"
                  + " ('only-the-erased-used-it', 20000, -1, 0), ('chat', 20000, -1, 3)");
          h.execute(
              "INSERT INTO usage_feature_days (feature, day, uses) VALUES"
                  + " ('only-the-erased-used-it', 20000, 0), ('chat', 20000, 7)");
          h.execute(
              "INSERT INTO usage_session_hist (day, bucket, sessions) VALUES"
                  + " (20000, 5, 0), (20000, 6, 2)");
          h.execute(
              "INSERT INTO usage_cohorts (cohort_week, week, people) VALUES"
                  + " (2857, 2857, 0), (2857, 2858, 4)");
        });

    TestDatabases.migrate(source, kind, "latest");

    jdbi.useHandle(
        h -> {
          assertThat(
                  h.createQuery("SELECT subject_sha256 FROM erasure_receipts ORDER BY erased_at")
                      .mapTo(String.class)
                      .list())
              .containsExactlyInAnyOrder(
                  PrivacyService.receiptDigest(erased), PrivacyService.receiptDigest(other));
          assertThat(PrivacyService.receiptDigest(erased)).hasSize(64).isNotEqualTo(erased);
          assertThat(rows(h, "SELECT feature, day, prev_day, people FROM usage_gaps"))
              .containsExactly(
                  Map.of("feature", "chat", "day", 20000L, "prev_day", -1L, "people", 3L));
          assertThat(rows(h, "SELECT feature, day, uses FROM usage_feature_days"))
              .containsExactly(Map.of("feature", "chat", "day", 20000L, "uses", 7L));
          assertThat(rows(h, "SELECT day, bucket, sessions FROM usage_session_hist"))
              .containsExactly(Map.of("day", 20000L, "bucket", 6L, "sessions", 2L));
          assertThat(rows(h, "SELECT cohort_week, week, people FROM usage_cohorts"))
              .containsExactly(Map.of("cohort_week", 2857L, "week", 2858L, "people", 4L));
        });
  }

  /** The rows as maps, whole numbers as longs whatever the driver returns. */
  private static List<Map<String, Object>> rows(org.jdbi.v3.core.Handle h, String sql) {
    return h.createQuery(sql)
        .mapToMap()
        .map(
            row -> {
              Map<String, Object> out = new java.util.HashMap<>();
              row.forEach((k, v) -> out.put(k, v instanceof Number n ? (Object) n.longValue() : v));
              return out;
            })
        .list();
  }
}
