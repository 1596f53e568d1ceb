package app.candor.core.audit;

import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Every read of a person's data by a service or an operator, readable by that person. */
public final class AccessLog {

  /** One read: who, why, which fields, when. */
  public record Entry(Instant at, String caller, String purpose, List<String> fields) {}

  private final Database db;
  private final Clock clock;

  public AccessLog(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public void record(String subjectId, String caller, String purpose, List<String> fields) {
    db.useTransaction(
        h ->
            h.createUpdate(
                    "INSERT INTO access_log (id, subject_id, at, caller, purpose, fields)"
                        + " VALUES (:id, :s, :at, :c, :p, :f)")
                .bind("id", UUID.randomUUID().toString())
                .bind("s", subjectId)
                .bind("at", clock.millis())
                .bind("c", caller)
                .bind("p", purpose)
                .bind("f", String.join(",", fields))
                .execute());
  }

  public List<Entry> entries(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT at, caller, purpose, fields FROM access_log WHERE subject_id = :s"
                        + " ORDER BY at, id")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) ->
                        new Entry(
                            Instant.ofEpochMilli(rs.getLong(1)),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4).isEmpty()
                                ? List.of()
                                : Arrays.asList(rs.getString(4).split(","))))
                .list());
  }

  public int erase(Handle h, String subjectId) {
    return h.createUpdate("DELETE FROM access_log WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
  }

  public long subjectsWithEntries() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM access_log")
                .mapTo(Long.class)
                .one());
  }
}
