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

  void apply(Handle h) {
    upsert(
        h,
        "INSERT INTO usage_gaps (feature, day, prev_day, people) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (feature, day, prev_day) DO UPDATE"
            + " SET people = usage_gaps.people + excluded.people",
        gaps);
    upsert(
        h,
        "INSERT INTO usage_feature_days (feature, day, uses) VALUES (?, ?, ?)"
            + " ON CONFLICT (feature, day) DO UPDATE SET uses = usage_feature_days.uses + excluded.uses",
        featureDays);
    upsert(
        h,
        "INSERT INTO usage_session_hist (day, bucket, sessions) VALUES (?, ?, ?)"
            + " ON CONFLICT (day, bucket) DO UPDATE"
            + " SET sessions = usage_session_hist.sessions + excluded.sessions",
        hist);
    upsert(
        h,
        "INSERT INTO usage_cohorts (cohort_week, week, people) VALUES (?, ?, ?)"
            + " ON CONFLICT (cohort_week, week) DO UPDATE"
            + " SET people = usage_cohorts.people + excluded.people",
        cohorts);
    gaps.clear();
    featureDays.clear();
    hist.clear();
    cohorts.clear();
  }

  private static void upsert(Handle h, String sql, Map<List<Object>, Long> deltas) {
    if (deltas.isEmpty()) {
      return;
    }
    PreparedBatch batch = h.prepareBatch(sql);
    // A fixed order: two transactions touching the same rows lock them in the same order, so
    // PostgreSQL never has to break a deadlock between the writer and an erasure.
    List<Map.Entry<List<Object>, Long>> sorted = new java.util.ArrayList<>(deltas.entrySet());
    sorted.sort(Map.Entry.comparingByKey(Deltas::compareKeys));
    for (Map.Entry<List<Object>, Long> e : sorted) {
      if (e.getValue() == 0) {
        continue;
      }
      for (int i = 0; i < e.getKey().size(); i++) {
        batch.bind(i, e.getKey().get(i));
      }
      batch.bind(e.getKey().size(), e.getValue());
      batch.add();
    }
    if (batch.size() > 0) {
      batch.execute();
    }
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
