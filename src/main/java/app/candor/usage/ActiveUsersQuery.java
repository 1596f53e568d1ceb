package app.candor.usage;

import static app.candor.usage.UsageAnalytics.ANY;
import static app.candor.usage.UsageAnalytics.K;

import app.candor.core.store.Database;
import app.candor.usage.UsageAnalytics.ActivePoint;
import app.candor.usage.UsageAnalytics.ActiveUsers;
import app.candor.usage.UsageAnalytics.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * Active users in rolling windows, and stickiness (DAU/MAU), counted exactly from the
 * distinct-people grid ({@code usage_gaps}): one read of the range plus a month before it.
 */
final class ActiveUsersQuery {
  private ActiveUsersQuery() {}

  /** Active users in rolling {@code window}s ending on each day of [first, last], with DAU/MAU. */
  static ActiveUsers run(Database db, long first, long last, Window window) {
    // Stickiness needs the month ending on each date, whatever the window.
    int reach = Math.max(window.days(), Window.MONTH.days());
    Grid grid = Grid.load(db, ANY, Math.max(0, first - reach + 1), last);
    List<ActivePoint> points = new ArrayList<>();
    for (long d = first; d <= last; d++) {
      long users = grid.distinct(d - window.days() + 1, d);
      long dau = grid.distinct(d, d);
      long mau = grid.distinct(d - Window.MONTH.days() + 1, d);
      Long shownUsers = users >= K ? users : null;
      Double stickiness = dau >= K && mau > 0 ? RollupReads.round((double) dau / mau, 4) : null;
      points.add(
          new ActivePoint(
              RollupReads.date(d),
              shownUsers,
              stickiness,
              shownUsers == null || stickiness == null));
    }
    return new ActiveUsers(window.id(), points);
  }

  /**
   * The {@code usage_gaps} rows of one feature with day in [lo, hi], prev_day below lo folded into
   * one column: enough to count the distinct people of any window inside [lo, hi] exactly.
   */
  private static final class Grid {
    private final long lo;
    private final long hi;

    /**
     * {@code firsts[d - lo][i]}: people active on day d whose previous active day is below lo+i-1.
     */
    private final long[][] prefix;

    private Grid(long lo, long hi, long[][] prefix) {
      this.lo = lo;
      this.hi = hi;
      this.prefix = prefix;
    }

    static Grid load(Database db, String feature, long lo, long hi) {
      int n = (int) (hi - lo + 1);
      // cells[d][0]: previous day below lo (or none); cells[d][1 + p - lo]: previous day p.
      long[][] cells = new long[n][];
      for (int i = 0; i < n; i++) {
        cells[i] = new long[i + 2];
      }
      RollupReads.read(
          db,
          h ->
              h.createQuery(
                      "SELECT day, CASE WHEN prev_day < :lo THEN -1 ELSE prev_day END AS p,"
                          + " SUM(people) AS people FROM usage_gaps"
                          + " WHERE feature = :feature AND day BETWEEN :lo AND :hi"
                          + " GROUP BY 1, 2")
                  .bind("feature", feature)
                  .bind("lo", lo)
                  .bind("hi", hi)
                  .map(
                      (rs, ctx) -> {
                        int d = (int) (rs.getLong("day") - lo);
                        long p = rs.getLong("p");
                        int i = p < lo ? 0 : (int) (p - lo + 1);
                        if (i < cells[d].length) {
                          cells[d][i] += rs.getLong("people");
                        }
                        return 0;
                      })
                  .forEach(x -> {}));
      for (long[] row : cells) {
        for (int i = 1; i < row.length; i++) {
          row[i] += row[i - 1];
        }
      }
      return new Grid(lo, hi, cells);
    }

    /** The distinct people active in [a, b], clipped to [lo, hi]. */
    long distinct(long a, long b) {
      long start = Math.max(a, lo);
      long end = Math.min(b, hi);
      long total = 0;
      for (long d = start; d <= end; d++) {
        long[] row = prefix[(int) (d - lo)];
        // Previous active day before start: index 0 (below lo) up to 1 + (start - 1) - lo.
        int upTo = (int) Math.min(start - lo, row.length - 1);
        total += row[upTo];
      }
      return total;
    }
  }
}
