package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.store.Database;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V6 turns the owners index from one row per event into one row per person and slice:
 * every position is kept under its person, and positions rolled up before applied_seq never share a
 * row with positions after it (the writer's recovery tells unfinished roll-ups by first_seq).
 */
class OwnerListsMigrationTest {
  @TempDir Path dir;

  @Test
  void owners_rows_become_lists_sqlite() {
    check(TestDatabases.dataSource(TestDatabases.SQLITE, dir), TestDatabases.SQLITE);
  }

  @Test
  void owners_rows_become_lists_postgresql() {
    Assumptions.assumeTrue(TestDatabases.pgUrl().isPresent());
    check(TestDatabases.dataSource(TestDatabases.POSTGRESQL, dir), TestDatabases.POSTGRESQL);
  }

  private static void check(DataSource source, String dialect) {
    TestDatabases.migrate(source, dialect, "5");
    Jdbi jdbi = Jdbi.create(source);
    jdbi.useHandle(
        h -> {
          h.execute("UPDATE usage_rollup_state SET applied_seq = 3 WHERE id = 1");
          for (Object[] row :
              List.of(
                  new Object[] {"a", 1},
                  new Object[] {"a", 2},
                  new Object[] {"b", 3},
                  new Object[] {"a", 4},
                  new Object[] {"a", 5},
                  new Object[] {"b", 6})) {
            h.execute("INSERT INTO usage_event_owners (subject_id, seq) VALUES (?, ?)", row);
          }
        });
    TestDatabases.migrate(source, dialect, "latest");
    TreeMap<String, TreeSet<Long>> rows = new TreeMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery(
                    "SELECT subject_id, first_seq, last_seq, seqs FROM usage_event_owners"
                        + " ORDER BY subject_id, first_seq")
                .map(
                    (rs, ctx) -> {
                      TreeSet<Long> seqs = new TreeSet<>();
                      Arrays.stream(rs.getString(4).split(","))
                          .map(Long::valueOf)
                          .forEach(seqs::add);
                      assertThat(seqs.first()).isEqualTo(rs.getLong(2));
                      assertThat(seqs.last()).isEqualTo(rs.getLong(3));
                      return rows.put(rs.getString(1) + "@" + rs.getLong(2), seqs);
                    })
                .list());
    assertThat(rows)
        .containsOnlyKeys("a@1", "a@4", "b@3", "b@6")
        .containsEntry("a@1", new TreeSet<>(List.of(1L, 2L)))
        .containsEntry("a@4", new TreeSet<>(List.of(4L, 5L)))
        .containsEntry("b@3", new TreeSet<>(List.of(3L)))
        .containsEntry("b@6", new TreeSet<>(List.of(6L)));
    // The lists are what the readers unpack.
    Database.Dialect d =
        dialect.equals("sqlite") ? Database.Dialect.SQLITE : Database.Dialect.POSTGRESQL;
    List<Long> owned =
        jdbi.withHandle(
            h ->
                h.createQuery(EventLog.owned(h) + " ORDER BY 1")
                    .bind("s", "a")
                    .mapTo(Long.class)
                    .list());
    assertThat(owned).as(d.name()).containsExactly(1L, 2L, 4L, 5L);
  }
}
