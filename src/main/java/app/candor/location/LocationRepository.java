package app.candor.location;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jspecify.annotations.Nullable;

/** The location tables' SQL. */
final class LocationRepository {

  /** One stored position update. */
  record Point(
      long at,
      long receivedAt,
      String level,
      int cell,
      byte @Nullable [] positionCt,
      boolean flagged) {}

  /** A person's current cell, as rebuilt at start. */
  record Current(String subjectId, long at, int cell) {}

  private LocationRepository() {}

  /**
   * Whether the person still exists, checked inside the writing transaction: on PostgreSQL the key
   * row is share-locked, so an erasure under way is waited for and then seen; SQLite's write
   * transactions run one at a time anyway.
   */
  static boolean present(Handle h, String subjectId) {
    boolean postgres =
        app.candor.core.store.Database.dialectOf(h)
            == app.candor.core.store.Database.Dialect.POSTGRESQL;
    return h.createQuery(
            "SELECT 1 FROM subject_keys WHERE subject_id = :s" + (postgres ? " FOR SHARE" : ""))
        .bind("s", subjectId)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  static void insert(Handle h, String subjectId, List<Point> points) {
    PreparedBatch batch =
        h.prepareBatch(
            "INSERT INTO location_points (subject_id, at, received_at, level, cell, position_ct,"
                + " flagged) VALUES (:s, :at, :received, :level, :cell, :ct, :flagged)");
    for (Point p : points) {
      batch
          .bind("s", subjectId)
          .bind("at", p.at())
          .bind("received", p.receivedAt())
          .bind("level", p.level())
          .bind("cell", p.cell())
          .bind("ct", p.positionCt())
          .bind("flagged", p.flagged() ? 1 : 0)
          .add();
    }
    batch.execute();
  }

  /** Sets the person's current cell, unless a later one is stored already. */
  static void current(Handle h, String subjectId, long at, int cell) {
    h.createUpdate(
            "INSERT INTO location_current (subject_id, at, cell) VALUES (:s, :at, :cell)"
                + " ON CONFLICT (subject_id) DO UPDATE SET at = excluded.at, cell = excluded.cell"
                + " WHERE location_current.at <= excluded.at")
        .bind("s", subjectId)
        .bind("at", at)
        .bind("cell", cell)
        .execute();
  }

  /** The person's current cell and its time, if they have one. */
  static java.util.Optional<Current> currentOf(Handle h, String subjectId) {
    return h.createQuery("SELECT subject_id, at, cell FROM location_current WHERE subject_id = :s")
        .bind("s", subjectId)
        .map((rs, ctx) -> new Current(rs.getString(1), rs.getLong(2), rs.getInt(3)))
        .findOne();
  }

  /** Everyone with stored positions (the sweep after a withdrawal that did not finish). */
  static List<String> subjectsWithPositions(Handle h) {
    return h.createQuery("SELECT DISTINCT subject_id FROM location_points")
        .mapTo(String.class)
        .list();
  }

  /** A move to the approximate level: the precise positions go, their grid squares stay. */
  static int forgetPrecise(Handle h, String subjectId) {
    return h.createUpdate(
            "UPDATE location_points SET position_ct = NULL, level = 'approximate'"
                + " WHERE subject_id = :s AND position_ct IS NOT NULL")
        .bind("s", subjectId)
        .execute();
  }

  static List<Current> currentSince(Handle h, long since) {
    return h.createQuery("SELECT subject_id, at, cell FROM location_current WHERE at >= :since")
        .bind("since", since)
        .map((rs, ctx) -> new Current(rs.getString(1), rs.getLong(2), rs.getInt(3)))
        .list();
  }

  static List<Point> history(Handle h, String subjectId) {
    return h.createQuery(
            "SELECT at, received_at, level, cell, position_ct, flagged FROM location_points"
                + " WHERE subject_id = :s ORDER BY at, seq")
        .bind("s", subjectId)
        .map(
            (rs, ctx) ->
                new Point(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getInt(4),
                    rs.getBytes(5),
                    rs.getInt(6) != 0))
        .list();
  }

  /** Deletes the person's history and current position; returns how many records. */
  static int erase(Handle h, String subjectId) {
    int points =
        h.createUpdate("DELETE FROM location_points WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    int current =
        h.createUpdate("DELETE FROM location_current WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    return points + current;
  }

  /** Deletes what is older than {@code before}; returns the people whose current position went. */
  static List<String> purge(Handle h, long before) {
    h.createUpdate("DELETE FROM location_points WHERE at < :t").bind("t", before).execute();
    // RETURNING names exactly the rows deleted (one updated meanwhile is not).
    return h.createQuery("DELETE FROM location_current WHERE at < :t RETURNING subject_id")
        .bind("t", before)
        .mapTo(String.class)
        .list();
  }

  static long subjects(Handle h) {
    return h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM location_points")
        .mapTo(Long.class)
        .one();
  }

  static long points(Handle h) {
    return h.createQuery("SELECT COUNT(*) FROM location_points").mapTo(Long.class).one();
  }
}
