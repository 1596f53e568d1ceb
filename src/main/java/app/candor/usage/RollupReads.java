package app.candor.usage;

import app.candor.core.store.Database;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** What the analytics queries share: reading the rollups and shaping their numbers. */
final class RollupReads {
  private RollupReads() {}

  /** Runs {@code work} on a handle of {@code db}. */
  static void read(Database db, Consumer<Handle> work) {
    db.<@Nullable Void, RuntimeException>withHandle(
        h -> {
          work.accept(h);
          return null;
        });
  }

  /**
   * Distinct people active in [first, last] per feature, from {@code usage_gaps}: a person counts
   * on their first active day of the range, the one whose previous active day is before it.
   */
  static Map<String, Long> distinctPeople(
      Database db, List<String> features, long first, long last) {
    Map<String, Long> out = new HashMap<>();
    read(
        db,
        h ->
            h.createQuery(
                    "SELECT feature, SUM(people) AS people FROM usage_gaps"
                        + " WHERE feature IN (<features>) AND day BETWEEN :first AND :last"
                        + " AND prev_day < :first GROUP BY feature")
                .bindList("features", features)
                .bind("first", first)
                .bind("last", last)
                .map((rs, ctx) -> out.put(rs.getString("feature"), rs.getLong("people")))
                .forEach(x -> {}));
    return out;
  }

  /** The ISO date of an epoch day. */
  static String date(long epochDay) {
    return LocalDate.ofEpochDay(epochDay).toString();
  }

  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
