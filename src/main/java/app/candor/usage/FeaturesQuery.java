package app.candor.usage;

import static app.candor.usage.UsageAnalytics.ANY;
import static app.candor.usage.UsageAnalytics.K;

import app.candor.core.store.Database;
import app.candor.usage.UsageAnalytics.DailyUses;
import app.candor.usage.UsageAnalytics.FeatureUsage;
import app.candor.usage.UsageAnalytics.Features;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most used features of a range, from the feature-day rollup ({@code usage_feature_days}) for
 * uses and the distinct-people grid for people: only features at least {@link UsageAnalytics#K}
 * people used are named.
 */
final class FeaturesQuery {
  private FeaturesQuery() {}

  /** Features looked at per query while looking for the most used ones with K people or more. */
  private static final int FEATURE_PAGE = 50;

  /**
   * The {@code limit} most used features in [first, last] among those at least {@link
   * UsageAnalytics#K} people used in the range, with distinct people and daily uses.
   */
  static Features run(Database db, long first, long last, int limit) {
    Map<String, Long> uses = new LinkedHashMap<>();
    Map<String, Long> people = new HashMap<>();
    // The most used first, a page at a time, until enough of them have K people or more.
    int page = Math.max(limit, FEATURE_PAGE);
    for (int offset = 0; uses.size() < limit; offset += page) {
      Map<String, Long> candidates = mostUsed(db, first, last, page, offset);
      if (candidates.isEmpty()) {
        break;
      }
      Map<String, Long> counted =
          RollupReads.distinctPeople(db, new ArrayList<>(candidates.keySet()), first, last);
      for (Map.Entry<String, Long> c : candidates.entrySet()) {
        long p = counted.getOrDefault(c.getKey(), 0L);
        if (p >= K && uses.size() < limit) {
          uses.put(c.getKey(), c.getValue());
          people.put(c.getKey(), p);
        }
      }
      if (candidates.size() < page) {
        break;
      }
    }
    if (uses.isEmpty()) {
      return new Features(List.of());
    }
    List<String> names = new ArrayList<>(uses.keySet());
    int n = (int) (last - first + 1);
    Map<String, long[]> dailyUses = new HashMap<>();
    Map<String, long[]> dailyPeople = new HashMap<>();
    for (String name : names) {
      dailyUses.put(name, new long[n]);
      dailyPeople.put(name, new long[n]);
    }
    RollupReads.read(
        db,
        h -> {
          h.createQuery(
                  "SELECT feature, day, uses FROM usage_feature_days"
                      + " WHERE feature IN (<names>) AND day BETWEEN :first AND :last")
              .bindList("names", names)
              .bind("first", first)
              .bind("last", last)
              .map(
                  (rs, ctx) ->
                      dailyUses.get(rs.getString("feature"))[(int) (rs.getLong("day") - first)] +=
                          rs.getLong("uses"))
              .forEach(x -> {});
          h.createQuery(
                  "SELECT feature, day, SUM(people) AS active FROM usage_gaps"
                      + " WHERE feature IN (<names>) AND day BETWEEN :first AND :last"
                      + " GROUP BY feature, day")
              .bindList("names", names)
              .bind("first", first)
              .bind("last", last)
              .map(
                  (rs, ctx) ->
                      dailyPeople.get(rs.getString("feature"))[(int) (rs.getLong("day") - first)] +=
                          rs.getLong("active"))
              .forEach(x -> {});
        });
    List<FeatureUsage> shown = new ArrayList<>();
    for (String name : names) {
      List<DailyUses> daily = new ArrayList<>(n);
      long[] u = dailyUses.get(name);
      long[] p = dailyPeople.get(name);
      for (int i = 0; i < n; i++) {
        boolean small = p[i] < K;
        daily.add(new DailyUses(RollupReads.date(first + i), small ? null : u[i], small));
      }
      shown.add(new FeatureUsage(name, uses.get(name), people.get(name), false, daily));
    }
    return new Features(shown);
  }

  /** A page of the features by uses in [first, last], most used first (ties by name). */
  private static Map<String, Long> mostUsed(
      Database db, long first, long last, int limit, int offset) {
    Map<String, Long> uses = new LinkedHashMap<>();
    RollupReads.read(
        db,
        h ->
            h.createQuery(
                    "SELECT feature, SUM(uses) AS uses FROM usage_feature_days"
                        + " WHERE day BETWEEN :first AND :last AND feature <> :any"
                        + " GROUP BY feature HAVING SUM(uses) > 0"
                        + " ORDER BY 2 DESC, 1 LIMIT :limit OFFSET :offset")
                .bind("first", first)
                .bind("last", last)
                .bind("any", ANY)
                .bind("limit", limit)
                .bind("offset", offset)
                .map((rs, ctx) -> uses.put(rs.getString("feature"), rs.getLong("uses")))
                .forEach(x -> {}));
    return uses;
  }
}
