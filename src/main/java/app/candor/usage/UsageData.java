package app.candor.usage;

import app.candor.core.catalog.Category;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.privacy.SubjectData;
import com.google.crypto.tink.Aead;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** The usage domain's part of privacy requests: events, sessions, daily activity. */
public final class UsageData implements SubjectData {

  private final UsageService usage;
  private final SubjectKeys keys;

  public UsageData(UsageService usage, SubjectKeys keys) {
    this.usage = Objects.requireNonNull(usage, "usage");
    this.keys = Objects.requireNonNull(keys, "keys");
  }

  @Override
  public Category category() {
    return Category.USAGE;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of("usage.events", "usage.eventDetails", "usage.sessions", "usage.dailyActivity");
  }

  @Override
  public List<Held> describe(String subjectId) {
    usage.catchUp();
    return usage
        .database()
        .withHandle(
            h -> {
              List<Held> out = new ArrayList<>();
              long[] ev =
                  h.createQuery(
                          "SELECT COUNT(*), MIN(at), MAX(at), COUNT(detail_ct) FROM "
                              + EventLog.personEvents(h, "at, detail_ct"))
                      .bind("s", subjectId)
                      .map(
                          (rs, ctx) ->
                              new long[] {
                                rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)
                              })
                      .one();
              if (ev[0] > 0) {
                out.add(Held.count("usage.events", ev[0], at(ev[1]), at(ev[2])));
                if (ev[3] > 0) {
                  out.add(Held.count("usage.eventDetails", ev[3], at(ev[1]), at(ev[2])));
                }
              }
              long[] ss =
                  h.createQuery(
                          "SELECT COUNT(*), MIN(started_at), MAX(last_at) FROM usage_sessions"
                              + " WHERE subject_id = :s")
                      .bind("s", subjectId)
                      .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                      .one();
              if (ss[0] > 0) {
                out.add(Held.count("usage.sessions", ss[0], at(ss[1]), at(ss[2])));
              }
              List<Map<String, Object>> top =
                  h.createQuery(
                          "SELECT name, COUNT(*) AS uses FROM "
                              + EventLog.personEvents(h, "type, name")
                              + " WHERE type IN ('track', 'screen') GROUP BY name"
                              + " ORDER BY uses DESC, name LIMIT 10")
                      .bind("s", subjectId)
                      .map(
                          (rs, ctx) -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("feature", rs.getString(1));
                            m.put("uses", rs.getLong(2));
                            return m;
                          })
                      .list();
              long[] days =
                  h.createQuery(
                          "SELECT COUNT(*), MIN(day), MAX(day) FROM usage_person_days"
                              + " WHERE subject_id = :s AND feature = '*'")
                      .bind("s", subjectId)
                      .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                      .one();
              if (days[0] > 0) {
                Map<String, Object> value = new LinkedHashMap<>();
                value.put("activeDays", days[0]);
                value.put("topFeatures", top);
                out.add(
                    Held.value(
                        "usage.dailyActivity",
                        value,
                        at(days[1] * 86_400_000L),
                        at(days[2] * 86_400_000L)));
              }
              return out;
            });
  }

  @Override
  public List<Table> tables(String subjectId) {
    usage.catchUp();
    Optional<Aead> aead = keys.find(subjectId);
    List<List<String>> events =
        usage
            .database()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT at, type, name, service, message_id, detail_ct FROM "
                                + EventLog.personEvents(
                                    h, "at, type, name, service, message_id, detail_ct")
                                + " ORDER BY at, message_id")
                        .bind("s", subjectId)
                        .map(
                            (rs, ctx) ->
                                List.of(
                                    Instant.ofEpochMilli(rs.getLong(1)).toString(),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getBytes(6) == null || aead.isEmpty()
                                        ? ""
                                        : FieldCipher.decrypt(
                                            aead.get(), subjectId, "usage.detail", rs.getBytes(6))))
                        .list());
    List<List<String>> sessions =
        usage
            .database()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT started_at, last_at, events, features, explicit FROM usage_sessions"
                                + " WHERE subject_id = :s ORDER BY started_at")
                        .bind("s", subjectId)
                        .map(
                            (rs, ctx) ->
                                List.of(
                                    Instant.ofEpochMilli(rs.getLong(1)).toString(),
                                    Instant.ofEpochMilli(rs.getLong(2)).toString(),
                                    Long.toString((rs.getLong(2) - rs.getLong(1)) / 1000),
                                    Integer.toString(rs.getInt(3)),
                                    rs.getString(4).replace(',', ' '),
                                    rs.getBoolean(5) ? "explicit" : "inferred"))
                        .list());
    return List.of(
        new Table(
            "usage.events",
            "events",
            List.of("at", "type", "name", "service", "messageId", "details"),
            events),
        new Table(
            "usage.sessions",
            "sessions",
            List.of("startedAt", "lastEventAt", "seconds", "events", "features", "kind"),
            sessions));
  }

  @Override
  public int erase(Handle handle, String subjectId) {
    usage.forget(subjectId);
    return Retention.eraseSubject(
        handle,
        subjectId,
        usage.database().dialect() == app.candor.core.store.Database.Dialect.POSTGRESQL);
  }

  @Override
  public long subjectsWithData() {
    usage.catchUp();
    return usage
        .database()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT COUNT(DISTINCT subject_id) FROM usage_person_days WHERE feature = '*'")
                    .mapTo(Long.class)
                    .one());
  }

  private static Optional<Instant> at(long millis) {
    return Optional.of(Instant.ofEpochMilli(millis));
  }
}
