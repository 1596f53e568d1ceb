package app.candor.usage;

import static app.candor.usage.UsageAnalytics.K;
import static app.candor.usage.UsageAnalytics.MAX_RETENTION_WEEKS;

import app.candor.core.store.Database;
import app.candor.usage.UsageAnalytics.Cohort;
import app.candor.usage.UsageAnalytics.Retention;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Weekly retention, from the cohort matrix ({@code usage_cohorts}) maintained at write time. */
final class CohortsQuery {
  private CohortsQuery() {}

  /**
   * Weekly retention of the cohorts whose first week starts (on a Monday) in [first, last] and no
   * later than {@code current}, the current week.
   */
  static Retention run(Database db, long first, long last, long current) {
    long firstCohort = Math.floorDiv(first + 3 + 6, 7); // the first week starting on or after from
    long lastCohort = Math.min(UsageAnalytics.week(last), current);
    Map<Long, Map<Long, Long>> cells = new HashMap<>();
    if (firstCohort <= lastCohort) {
      RollupReads.read(
          db,
          h ->
              h.createQuery(
                      "SELECT cohort_week, week, people FROM usage_cohorts"
                          + " WHERE cohort_week BETWEEN :a AND :b AND week >= cohort_week"
                          + " AND week <= cohort_week + :span AND week <= :current")
                  .bind("a", firstCohort)
                  .bind("b", lastCohort)
                  .bind("span", MAX_RETENTION_WEEKS)
                  .bind("current", current)
                  .map(
                      (rs, ctx) ->
                          cells
                              .computeIfAbsent(rs.getLong("cohort_week"), w -> new HashMap<>())
                              .merge(rs.getLong("week"), rs.getLong("people"), Long::sum))
                  .forEach(x -> {}));
    }
    List<Cohort> cohorts = new ArrayList<>();
    for (long w = firstCohort; w <= lastCohort; w++) {
      Map<Long, Long> row = cells.getOrDefault(w, Map.of());
      int weeks = (int) Math.min(current - w, MAX_RETENTION_WEEKS) + 1;
      long size = row.getOrDefault(w, 0L);
      List<@Nullable Long> retained = new ArrayList<>(weeks);
      boolean suppressed = size < K;
      for (int k = 0; k < weeks; k++) {
        long people = row.getOrDefault(w + k, 0L);
        if (size < K || people < K) {
          retained.add(null);
          suppressed = true;
        } else {
          retained.add(people);
        }
      }
      cohorts.add(
          new Cohort(
              RollupReads.date(7 * w - 3),
              size < K ? null : size,
              suppressed,
              Collections.unmodifiableList(retained)));
    }
    return new Retention("week", cohorts);
  }
}
