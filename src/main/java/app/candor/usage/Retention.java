package app.candor.usage;

import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Removing usage data while keeping the rollups equal to what they would be had the removed data
 * never been written: for one person (erasure) or for everything older than the retention.
 */
final class Retention {
  private Retention() {}

  /** Deletes everything about one person and takes them out of every shared rollup. */
  static int eraseSubject(Handle h, String subject, boolean postgres) {
    if (postgres) {
      // The writer reads the person's key row FOR SHARE in each write and roll-up: holding it here
      // keeps both out until this erasure commits, so what is counted below is what is deleted.
      h.createQuery("SELECT subject_id FROM subject_keys WHERE subject_id = :s FOR UPDATE")
          .bind("s", subject)
          .mapTo(String.class)
          .list();
    }
    Deltas deltas = new Deltas();
    record Day(String feature, long day) {}
    List<Day> days =
        h.createQuery(
                "SELECT feature, day FROM usage_person_days WHERE subject_id = :s"
                    + " ORDER BY feature, day")
            .bind("s", subject)
            .map((rs, ctx) -> new Day(rs.getString(1), rs.getLong(2)))
            .list();
    String feature = null;
    long prev = -1;
    List<Long> weeks = new ArrayList<>();
    for (Day d : days) {
      if (!d.feature().equals(feature)) {
        feature = d.feature();
        prev = -1;
      }
      deltas.gap(d.feature(), d.day(), prev, -1);
      if (RollupMaintenance.ANY.equals(d.feature())) {
        long w = Deltas.week(d.day());
        if (!weeks.contains(w)) {
          weeks.add(w);
        }
      }
      prev = d.day();
    }
    // How often, per feature and day, is counted from the person's rolled-up events.
    h.createQuery(
            "SELECT type, name, at FROM usage_events WHERE subject_id = :s AND seq IN ("
                + EventLog.owned(h)
                + ")")
        .bind("s", subject)
        .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
        .forEach(
            row -> {
              long day = Math.floorDiv((long) row[2], 86_400_000L);
              deltas.featureDay(RollupMaintenance.ANY, day, -1);
              if (UsageEvent.TRACK.equals(row[0]) || UsageEvent.SCREEN.equals(row[0])) {
                deltas.featureDay((String) row[1], day, -1);
              }
            });
    if (!weeks.isEmpty()) {
      long cohort = weeks.stream().mapToLong(Long::longValue).min().orElseThrow();
      weeks.forEach(w -> deltas.cohort(cohort, w, -1));
    }
    h.createQuery("SELECT started_at, last_at FROM usage_sessions WHERE subject_id = :s")
        .bind("s", subject)
        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)})
        .forEach(
            s ->
                deltas.session(
                    Math.floorDiv(s[0], 86_400_000L),
                    UsageAnalytics.bucket((s[1] - s[0]) / 1000),
                    -1));
    deltas.apply(h);
    int count =
        h.createUpdate(
                "DELETE FROM usage_events WHERE subject_id = :s AND seq IN ("
                    + EventLog.owned(h)
                    + ")")
            .bind("s", subject)
            .execute();
    // Not rolled up yet: not in the owners index, found by range.
    count +=
        h.createUpdate(
                "DELETE FROM usage_events WHERE subject_id = :s"
                    + " AND seq > (SELECT applied_seq FROM usage_rollup_state WHERE id = 1)")
            .bind("s", subject)
            .execute();
    h.createUpdate("DELETE FROM usage_event_owners WHERE subject_id = :s")
        .bind("s", subject)
        .execute();
    for (String table : List.of("usage_sessions", "usage_person_days")) {
      count +=
          h.createUpdate("DELETE FROM " + table + " WHERE subject_id = :s")
              .bind("s", subject)
              .execute();
    }
    return count;
  }

  /** Raw events of the days before {@code :d}, found by the usage_events_day index (V8). */
  static final String PURGE_EVENTS = "DELETE FROM usage_events WHERE at / 86400000 < :d";

  /**
   * Deletes raw events, sessions and per-person days of the UTC days that ended before {@code
   * cutoffMillis}: whole days, so that every rollup (all per day) stays equal to what the remaining
   * events give. In the distinct-people grid, each person's first remaining day loses its link to
   * the deleted one (prev_day becomes -1); aggregates of deleted days go too; the cohort of a
   * person whose first days were deleted becomes the week of their first remaining day (as erasure
   * and the writer derive it); a session cut by the cutoff is rebuilt from its remaining events.
   */
  static void purge(Database db, Sessions sessions, long cutoffMillis) {
    long cutoffDay = Math.floorDiv(cutoffMillis, 86_400_000L);
    long cutoffStart = cutoffDay * 86_400_000L;
    long cutoffWeek = Deltas.week(cutoffDay);
    db.useTransaction(
        h -> {
          Deltas deltas = new Deltas();
          recohort(h, cutoffDay, deltas);
          record Cut(String subject, long lastAt) {}
          List<Cut> cut =
              h.createQuery(
                      "SELECT subject_id, last_at FROM usage_sessions WHERE started_at < :c"
                          + " AND last_at >= :c")
                  .bind("c", cutoffStart)
                  .map((rs, ctx) -> new Cut(rs.getString(1), rs.getLong(2)))
                  .list();
          h.createUpdate(PURGE_EVENTS).bind("d", cutoffDay).execute();
          // Owners rows all of whose events are gone (positions only grow, so every position of
          // such a row is below the oldest event left). A row that still lists some purged
          // positions among live ones is harmless: those positions match no event.
          h.createUpdate(
                  "DELETE FROM usage_event_owners WHERE last_seq < (SELECT COALESCE(MIN(seq),"
                      + " 9223372036854775807) FROM usage_events)")
              .execute();
          h.createUpdate("DELETE FROM usage_sessions WHERE started_at < :c")
              .bind("c", cutoffStart)
              .execute();
          h.createUpdate("DELETE FROM usage_person_days WHERE day < :d")
              .bind("d", cutoffDay)
              .execute();
          h.createUpdate(
                  "INSERT INTO usage_gaps (feature, day, prev_day, people)"
                      + " SELECT feature, day, -1, SUM(people) FROM usage_gaps"
                      + " WHERE day >= :d AND prev_day >= 0 AND prev_day < :d GROUP BY feature, day"
                      + " ON CONFLICT (feature, day, prev_day) DO UPDATE"
                      + " SET people = usage_gaps.people + excluded.people")
              .bind("d", cutoffDay)
              .execute();
          h.createUpdate(
                  "DELETE FROM usage_gaps WHERE day < :d OR (prev_day >= 0 AND prev_day < :d)")
              .bind("d", cutoffDay)
              .execute();
          h.createUpdate("DELETE FROM usage_feature_days WHERE day < :d")
              .bind("d", cutoffDay)
              .execute();
          h.createUpdate("DELETE FROM usage_session_hist WHERE day < :d")
              .bind("d", cutoffDay)
              .execute();
          sessions.clear();
          for (Cut c : cut) {
            sessions.rebuild(h, c.subject(), cutoffStart, c.lastAt(), deltas);
          }
          deltas.apply(h);
          // Rows of weeks before the cutoff are all zero now.
          h.createUpdate("DELETE FROM usage_cohorts WHERE cohort_week < :w OR week < :w")
              .bind("w", cutoffWeek)
              .execute();
        });
    sessions.clear();
  }

  /**
   * Moves everyone with active days before {@code cutoffDay} to the retention-matrix row their
   * remaining days give (none when nothing remains).
   */
  private static void recohort(Handle h, long cutoffDay, Deltas deltas) {
    java.util.Map<String, java.util.TreeSet<Long>> days = new java.util.HashMap<>();
    h.createQuery(
            "SELECT subject_id, day FROM usage_person_days WHERE feature = '*' AND subject_id IN"
                + " (SELECT subject_id FROM usage_person_days WHERE feature = '*' AND day < :d)")
        .bind("d", cutoffDay)
        .map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getLong(2)))
        .forEach(
            e ->
                days.computeIfAbsent(e.getKey(), k -> new java.util.TreeSet<>()).add(e.getValue()));
    for (java.util.TreeSet<Long> all : days.values()) {
      java.util.TreeSet<Long> before = new java.util.TreeSet<>();
      all.forEach(d -> before.add(Deltas.week(d)));
      before.forEach(w -> deltas.cohort(before.first(), w, -1));
      java.util.TreeSet<Long> after = new java.util.TreeSet<>();
      all.tailSet(cutoffDay, true).forEach(d -> after.add(Deltas.week(d)));
      after.forEach(w -> deltas.cohort(after.first(), w, 1));
    }
  }
}
