package app.candor.usage;

import app.candor.core.store.Database;
import org.jdbi.v3.core.Handle;

/**
 * How readers outside the writer find one person's events in the log ({@code usage_events}, keyed
 * by the position the writer assigns): through the owners index ({@code usage_event_owners}) for
 * those rolled up, plus the short tail of the log after the last roll-up.
 */
final class EventLog {
  private EventLog() {}

  /**
   * The log positions of one person's rolled-up events, bound to {@code :s}, as a subquery: each
   * owners row lists the positions of the person's events in one roll-up slice. A listed position
   * whose event is gone (the retention purge) matches nothing, and readers also check the person on
   * the event row.
   */
  static String owned(Handle h) {
    return Database.dialectOf(h) == Database.Dialect.SQLITE
        ? "SELECT j.value FROM usage_event_owners o, json_each('[' || o.seqs || ']') j"
            + " WHERE o.subject_id = :s"
        : "SELECT CAST(j AS BIGINT) FROM usage_event_owners o,"
            + " unnest(string_to_array(o.seqs, ',')) AS j WHERE o.subject_id = :s";
  }

  /**
   * The rows of one person's events for readers outside the writer, as a derived table {@code pe}
   * with {@code columns} of usage_events, bound to {@code :s}: those rolled up (found through the
   * owners index) and those after the last roll-up (a short range of the log). One statement, so
   * one consistent view.
   */
  static String personEvents(Handle h, String columns) {
    String owned = owned(h);
    return "(SELECT "
        + columns
        + " FROM usage_events WHERE subject_id = :s AND seq IN ("
        + owned
        + ") UNION ALL SELECT "
        + columns
        + " FROM usage_events WHERE seq > (SELECT applied_seq FROM usage_rollup_state WHERE id = 1)"
        + " AND subject_id = :s"
        + " AND seq NOT IN ("
        + owned
        + ")) pe";
  }
}
