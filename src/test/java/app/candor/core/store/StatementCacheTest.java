package app.candor.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite's prepared statements kept per connection change no answer: a query run again inside the
 * iteration of its own results gets a statement of its own, a failed statement is not reused,
 * parameters never leak from one use to the next, and more distinct statements than are kept work.
 */
class StatementCacheTest {
  @TempDir Path dir;

  @Test
  void kept_statements_answer_exactly_as_fresh_ones() {
    try (Database db = Database.sqlite(dir.resolve("s.db"))) {
      db.useTransaction(
          h -> {
            h.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < 5; i++) {
              h.execute("INSERT INTO t (k, v) VALUES (?, ?)", i, "v" + i);
            }
          });
      String sql = "SELECT k FROM t WHERE k >= :from ORDER BY k";
      // The same SQL inside the iteration of its own results, on one handle.
      List<String> pairs =
          db.<List<String>, RuntimeException>withHandle(
              h -> {
                List<String> out = new ArrayList<>();
                try (var outer = h.createQuery(sql).bind("from", 3).mapTo(Integer.class).stream()) {
                  outer.forEach(
                      k ->
                          out.add(
                              k
                                  + ":"
                                  + h.createQuery(sql)
                                      .bind("from", 0)
                                      .mapTo(Integer.class)
                                      .list()
                                      .size()));
                }
                return out;
              });
      assertThat(pairs).containsExactly("3:5", "4:5");

      // A statement that failed is not handed out again; the next use works.
      assertThatThrownBy(
              () ->
                  db.useTransaction(
                      h -> h.execute("INSERT INTO t (k, v) VALUES (?, ?)", 1, "duplicate")))
          .isInstanceOf(RuntimeException.class);
      db.useTransaction(h -> h.execute("INSERT INTO t (k, v) VALUES (?, ?)", 9, "v9"));

      // A null bound once is not kept for the next use.
      db.useTransaction(h -> h.execute("INSERT INTO t (k, v) VALUES (?, ?)", 10, (String) null));
      db.useTransaction(h -> h.execute("INSERT INTO t (k, v) VALUES (?, ?)", 11, "v11"));
      String v11 =
          db.<String, RuntimeException>withHandle(
              h -> h.createQuery("SELECT v FROM t WHERE k = 11").mapTo(String.class).one());
      assertThat(v11).isEqualTo("v11");

      // More distinct statements than one connection keeps.
      for (int i = 0; i < 600; i++) {
        int n = i;
        int count =
            db.<Integer, RuntimeException>withHandle(
                h ->
                    h.createQuery("SELECT COUNT(*) + " + n + " FROM t").mapTo(Integer.class).one());
        assertThat(count).isEqualTo(8 + n);
      }
    }
  }
}
