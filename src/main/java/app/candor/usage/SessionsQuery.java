package app.candor.usage;

import static app.candor.usage.UsageAnalytics.ANY;
import static app.candor.usage.UsageAnalytics.K;

import app.candor.core.store.Database;
import app.candor.usage.UsageAnalytics.Sessions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sessions started in a range: their count and duration percentiles from the duration histogram
 * ({@code usage_session_hist}, in the buckets of {@link UsageAnalytics#bucket}), and sessions per
 * person active.
 */
final class SessionsQuery {
  private SessionsQuery() {}

  /** Sessions started in [first, last]. */
  static Sessions run(Database db, long first, long last) {
    TreeMap<Integer, Long> buckets = new TreeMap<>();
    RollupReads.read(
        db,
        h ->
            h.createQuery(
                    "SELECT bucket, SUM(sessions) AS sessions FROM usage_session_hist"
                        + " WHERE day BETWEEN :first AND :last GROUP BY bucket")
                .bind("first", first)
                .bind("last", last)
                .map(
                    (rs, ctx) ->
                        buckets.merge(rs.getInt("bucket"), rs.getLong("sessions"), Long::sum))
                .forEach(x -> {}));
    long people = RollupReads.distinctPeople(db, List.of(ANY), first, last).getOrDefault(ANY, 0L);
    if (people < K) {
      return new Sessions(null, null, null, null, true);
    }
    long count = buckets.values().stream().mapToLong(Long::longValue).filter(c -> c > 0).sum();
    Long median = count == 0 ? null : percentile(buckets, count, 0.5);
    Long p90 = count == 0 ? null : percentile(buckets, count, 0.9);
    return new Sessions(count, median, p90, RollupReads.round((double) count / people, 2), false);
  }

  /** The representative seconds of the nearest-rank {@code q} quantile of the histogram. */
  private static long percentile(TreeMap<Integer, Long> buckets, long count, double q) {
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seen = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      if (e.getValue() <= 0) {
        continue;
      }
      seen += e.getValue();
      if (seen >= rank) {
        return UsageAnalytics.bucketSeconds(e.getKey());
      }
    }
    return UsageAnalytics.bucketSeconds(buckets.lastKey());
  }
}
