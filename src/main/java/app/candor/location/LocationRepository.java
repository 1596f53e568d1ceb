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

  /** One stored position update with its person, for writing many people's at once. */
  record Row(String subjectId, Point point) {}

  /**
   * Whether a person exists, and the level of their {@code location} consent (null without it), as
   * the writing transaction sees them.
   */
  record Standing(boolean exists, @Nullable String level) {}

  private LocationRepository() {}

  /**
   * The standing of each of {@code subjects}, read inside the writing transaction so that what it
   * writes follows from it: on PostgreSQL the key rows and the consent rows are share-locked until
   * the commit (an erasure or a consent change under way is waited for and then seen, one that
   * comes later waits for this commit and then deletes what it wrote); SQLite's write transactions
   * run one at a time, so one plain query over the ids (a JSON array) suffices.
   */
  static java.util.Map<String, Standing> standing(Handle h, java.util.Collection<String> subjects) {
    java.util.Map<String, Standing> out = new java.util.HashMap<>();
    if (app.candor.core.store.Database.dialectOf(h)
        == app.candor.core.store.Database.Dialect.SQLITE) {
      // One statement for the whole group: the ids go in as one JSON array.
      String ids;
      try {
        ids = app.candor.core.json.Json.mapper().writeValueAsString(subjects);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      try (java.sql.PreparedStatement q =
          h.getConnection()
              .prepareStatement(
                  "SELECT j.value, k.subject_id IS NOT NULL, c.granted, c.level"
                      + " FROM json_each(?) j"
                      + " LEFT JOIN subject_keys k ON k.subject_id = j.value"
                      + " LEFT JOIN consents c"
                      + " ON c.subject_id = j.value AND c.purpose = 'location'")) {
        q.setString(1, ids);
        try (java.sql.ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            boolean exists = rs.getBoolean(2);
            boolean granted = rs.getBoolean(3);
            String level = rs.getString(4);
            out.put(
                rs.getString(1),
                new Standing(exists, exists && granted ? levelOrApproximate(level) : null));
          }
        }
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("reading who may be located failed", e);
      }
      return out;
    }
    List<String> all = new java.util.ArrayList<>(subjects);
    all.sort(java.util.Comparator.naturalOrder()); // one lock order for every writer
    subjects.forEach(s -> out.put(s, new Standing(false, null)));
    for (int i = 0; i < all.size(); i += 500) {
      List<String> chunk = all.subList(i, Math.min(all.size(), i + 500));
      h.createQuery(
              "SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)"
                  + " ORDER BY subject_id FOR SHARE")
          .bindList("s", chunk)
          .mapTo(String.class)
          .forEach(s -> out.put(s, new Standing(true, null)));
      h.createQuery(
              "SELECT subject_id, granted, level FROM consents WHERE purpose = 'location'"
                  + " AND subject_id IN (<s>) ORDER BY subject_id FOR SHARE")
          .bindList("s", chunk)
          .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getBoolean(2), rs.getString(3)})
          .forEach(
              r -> {
                String subject = (String) r[0];
                if (out.get(subject).exists() && (Boolean) r[1]) {
                  out.put(subject, new Standing(true, levelOrApproximate((String) r[2])));
                }
              });
    }
    return out;
  }

  private static String levelOrApproximate(@Nullable String level) {
    return level == null ? LocationConsents.APPROXIMATE : level;
  }

  /** Appends many people's position updates to the log, in one batch. */
  static void insertAll(Handle h, List<Row> rows) {
    if (rows.isEmpty()) {
      return;
    }
    try (java.sql.PreparedStatement insert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO location_log (subject_id, at, received_at, level, cell,"
                    + " position_ct, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (Row r : rows) {
        Point p = r.point();
        insert.setString(1, r.subjectId());
        insert.setLong(2, p.at());
        insert.setLong(3, p.receivedAt());
        insert.setString(4, p.level());
        insert.setInt(5, p.cell());
        insert.setBytes(6, p.positionCt());
        insert.setInt(7, p.flagged() ? 1 : 0);
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("storing position updates failed", e);
    }
  }

  /** Sets many people's current cells, each unless a later one is stored already. */
  static void currentAll(Handle h, List<Current> currents) {
    if (currents.isEmpty()) {
      return;
    }
    try (java.sql.PreparedStatement upsert =
        h.getConnection()
            .prepareStatement(
                "INSERT INTO location_current (subject_id, at, cell) VALUES (?, ?, ?)"
                    + " ON CONFLICT (subject_id) DO UPDATE SET at = excluded.at,"
                    + " cell = excluded.cell WHERE location_current.at <= excluded.at")) {
      for (Current c : currents) {
        upsert.setString(1, c.subjectId());
        upsert.setLong(2, c.at());
        upsert.setInt(3, c.cell());
        upsert.addBatch();
      }
      upsert.executeBatch();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("storing current positions failed", e);
    }
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

  /**
   * Moves up to {@code max} of the oldest updates from the log into {@code location_points}, sorted
   * by person (so that each person's pages are written once per move, not once per group commit);
   * returns how many. On PostgreSQL only the rows this statement deleted from the log are inserted,
   * so a row an erasure deleted meanwhile is never brought back; SQLite runs one writer at a time.
   */
  static int move(Handle h, int max) {
    Long last =
        h.createQuery("SELECT MAX(seq) FROM (SELECT seq FROM location_log ORDER BY seq LIMIT :n) t")
            .bind("n", max)
            .mapTo(Long.class)
            .findOne()
            .orElse(null);
    if (last == null) {
      return 0;
    }
    String columns = "subject_id, at, received_at, level, cell, position_ct, flagged";
    if (app.candor.core.store.Database.dialectOf(h)
        == app.candor.core.store.Database.Dialect.POSTGRESQL) {
      return h.createUpdate(
              "WITH moved AS (DELETE FROM location_log WHERE seq <= :last RETURNING "
                  + columns
                  + ") INSERT INTO location_points ("
                  + columns
                  + ") SELECT "
                  + columns
                  + " FROM moved ORDER BY subject_id, at")
          .bind("last", last)
          .execute();
    }
    h.createUpdate(
            "INSERT INTO location_points ("
                + columns
                + ") SELECT "
                + columns
                + " FROM location_log WHERE seq <= :last ORDER BY subject_id, at")
        .bind("last", last)
        .execute();
    return h.createUpdate("DELETE FROM location_log WHERE seq <= :last")
        .bind("last", last)
        .execute();
  }

  /** Everyone with stored positions (the sweep after a withdrawal that did not finish). */
  static List<String> subjectsWithPositions(Handle h) {
    return h.createQuery(
            "SELECT subject_id FROM location_points UNION SELECT subject_id FROM location_log")
        .mapTo(String.class)
        .list();
  }

  /** A move to the approximate level: the precise positions go, their grid squares stay. */
  static int forgetPrecise(Handle h, String subjectId) {
    int n = 0;
    for (String table : List.of("location_log", "location_points")) {
      n +=
          h.createUpdate(
                  "UPDATE "
                      + table
                      + " SET position_ct = NULL, level = 'approximate'"
                      + " WHERE subject_id = :s AND position_ct IS NOT NULL")
              .bind("s", subjectId)
              .execute();
    }
    return n;
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
                + " WHERE subject_id = :s UNION ALL"
                + " SELECT at, received_at, level, cell, position_ct, flagged FROM location_log"
                + " WHERE subject_id = :s ORDER BY 1, 2")
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

  /**
   * Deletes the person's history and current position; returns how many records. The log first: on
   * PostgreSQL a move under way holds its rows, and this waits for it, then finds the moved rows in
   * {@code location_points} (each statement reads afresh).
   */
  static int erase(Handle h, String subjectId) {
    int points =
        h.createUpdate("DELETE FROM location_log WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    points +=
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
    h.createUpdate("DELETE FROM location_log WHERE at < :t").bind("t", before).execute();
    h.createUpdate("DELETE FROM location_points WHERE at < :t").bind("t", before).execute();
    // RETURNING names exactly the rows deleted (one updated meanwhile is not).
    return h.createQuery("DELETE FROM location_current WHERE at < :t RETURNING subject_id")
        .bind("t", before)
        .mapTo(String.class)
        .list();
  }

  static long subjects(Handle h) {
    return h.createQuery(
            "SELECT COUNT(*) FROM (SELECT subject_id FROM location_points"
                + " UNION SELECT subject_id FROM location_log) t")
        .mapTo(Long.class)
        .one();
  }

  static long points(Handle h) {
    return h.createQuery(
            "SELECT (SELECT COUNT(*) FROM location_points) + (SELECT COUNT(*) FROM location_log)")
        .mapTo(Long.class)
        .one();
  }
}
