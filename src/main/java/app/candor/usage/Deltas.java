package app.candor.usage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Counter changes to the shared rollups, summed in memory during one write and applied at its end
 * with one upsert per touched row: many events, few rows.
 */
final class Deltas {
  private final Map<List<Object>, Long> gaps = new HashMap<>();
  private final Map<List<Object>, Long> featureDays = new HashMap<>();
  private final Map<List<Object>, Long> hist = new HashMap<>();
  private final Map<List<Object>, Long> cohorts = new HashMap<>();

  void gap(String feature, long day, long prevDay, long people) {
    gaps.merge(List.of(feature, day, prevDay), people, Long::sum);
  }

  void featureDay(String feature, long day, long uses) {
    featureDays.merge(List.of(feature, day), uses, Long::sum);
  }

  void session(long day, int bucket, long sessions) {
    hist.merge(List.of(day, (long) bucket), sessions, Long::sum);
  }

  void cohort(long cohortWeek, long week, long people) {
    cohorts.merge(List.of(cohortWeek, week), people, Long::sum);
  }

  /**
   * Applies the changes: one upsert per touched row, then the rows a negative change brought to
   * zero are deleted. A row at zero says nothing anyone needs, and in the two rollups keyed by a
   * feature name it would keep a name that a service supplied for a person who is gone (erasure,
   * retention), so none is ever left behind.
   */
  void apply(Handle h) {
    apply(h, GAPS, gaps);
    apply(h, FEATURE_DAYS, featureDays);
    apply(h, HIST, hist);
    apply(h, COHORTS, cohorts);
  }

  /** One rollup table: its key columns and its counter. */
  private record Rollup(String table, List<String> keys, String count) {
    String upsert() {
      String columns = String.join(", ", keys);
      return "INSERT INTO "
          + table
          + " ("
          + columns
          + ", "
          + count
          + ") VALUES ("
          + "?, ".repeat(keys.size())
          + "?) ON CONFLICT ("
          + columns
          + ") DO UPDATE SET "
          + count
          + " = "
          + table
          + "."
          + count
          + " + excluded."
          + count;
    }

    String deleteEmpty() {
      return "DELETE FROM "
          + table
          + " WHERE "
          + String.join(" = ? AND ", keys)
          + " = ? AND "
          + count
          + " <= 0";
    }
  }

  private static final Rollup GAPS =
      new Rollup("usage_gaps", List.of("feature", "day", "prev_day"), "people");
  private static final Rollup FEATURE_DAYS =
      new Rollup("usage_feature_days", List.of("feature", "day"), "uses");
  private static final Rollup HIST =
      new Rollup("usage_session_hist", List.of("day", "bucket"), "sessions");
  private static final Rollup COHORTS =
      new Rollup("usage_cohorts", List.of("cohort_week", "week"), "people");

  private static void apply(Handle h, Rollup rollup, Map<List<Object>, Long> deltas) {
    if (deltas.isEmpty()) {
      return;
    }
    // A fixed order: two transactions touching the same rows lock them in the same order, so
    // PostgreSQL never has to break a deadlock between the writer and an erasure.
    List<Map.Entry<List<Object>, Long>> sorted = new java.util.ArrayList<>(deltas.entrySet());
    sorted.sort(Map.Entry.comparingByKey(Deltas::compareKeys));
    PreparedBatch upsert = h.prepareBatch(rollup.upsert());
    PreparedBatch delete = h.prepareBatch(rollup.deleteEmpty());
    for (Map.Entry<List<Object>, Long> e : sorted) {
      if (e.getValue() == 0) {
        continue;
      }
      List<Object> key = e.getKey();
      for (int i = 0; i < key.size(); i++) {
        upsert.bind(i, key.get(i));
      }
      upsert.bind(key.size(), e.getValue());
      upsert.add();
      if (e.getValue() < 0) {
        for (int i = 0; i < key.size(); i++) {
          delete.bind(i, key.get(i));
        }
        delete.add();
      }
    }
    if (upsert.size() > 0) {
      upsert.execute();
    }
    if (delete.size() > 0) {
      delete.execute();
    }
    deltas.clear();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareKeys(List<Object> a, List<Object> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = ((Comparable) a.get(i)).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  static long week(long day) {
    return Math.floorDiv(day + 3, 7);
  }
}
