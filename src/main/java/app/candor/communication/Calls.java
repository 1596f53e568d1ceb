package app.candor.communication;

import app.candor.core.access.Access;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import app.candor.core.store.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Calls as metadata: who called whom, voice or video, when, and how it ended; never what was said.
 * Everyone on the call must exist when it is written (on PostgreSQL their key rows share-locked, so
 * an erasure either follows and deletes the record of them, or is seen).
 */
public final class Calls {

  /** Recording a call: the caller, and services with {@code messaging}. */
  public static final Access RECORD =
      Access.forPurpose("calls", Purpose.MESSAGING, "communication.calls");

  public static final Set<String> KINDS = Set.of("voice", "video");
  public static final Set<String> OUTCOMES = Set.of("answered", "missed", "declined");

  /** The most people a call may reach besides the caller. */
  public static final int MAX_CALLEES = 100;

  /** A call as the service sends it, checked at the edge. */
  public record CallInput(
      String from,
      List<String> to,
      String kind,
      Instant startedAt,
      Optional<Instant> endedAt,
      String outcome) {
    public CallInput {
      to = List.copyOf(to);
    }
  }

  /** A recorded call. */
  public record Call(String id, CallInput call, Instant createdAt) {}

  private final Database db;
  private final Clock clock;

  Calls(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Records {@code input}; 400 naming {@code to[i]} for someone who does not exist. */
  public Call record(CallInput input) {
    long now = clock.millis();
    String id = Ids.timeOrdered("call_", now);
    db.useTransaction(
        h -> {
          List<String> everyone = new ArrayList<>(input.to());
          everyone.add(input.from());
          everyone.sort(Comparator.naturalOrder());
          String lock =
              db.dialect() == Database.Dialect.POSTGRESQL ? " ORDER BY subject_id FOR SHARE" : "";
          Set<String> present =
              new HashSet<>(
                  h.createQuery(
                          "SELECT subject_id FROM subject_keys WHERE subject_id IN (<s>)" + lock)
                      .bindList("s", everyone)
                      .mapTo(String.class)
                      .list());
          if (!present.contains(input.from())) {
            throw CandorException.notFound("person");
          }
          List<CandorException.FieldError> missing = new ArrayList<>();
          for (int i = 0; i < input.to().size(); i++) {
            if (!present.contains(input.to().get(i))) {
              missing.add(new CandorException.FieldError("to[" + i + "]", "no such person"));
            }
          }
          if (!missing.isEmpty()) {
            throw CandorException.invalid(missing);
          }
          h.createUpdate(
                  "INSERT INTO calls (id, caller_id, kind, started_at, ended_at, outcome,"
                      + " created_at) VALUES (:id, :from, :kind, :start, :end, :outcome, :at)")
              .bind("id", id)
              .bind("from", input.from())
              .bind("kind", input.kind())
              .bind("start", input.startedAt().toEpochMilli())
              .bind("end", input.endedAt().map(Instant::toEpochMilli).orElse(null))
              .bind("outcome", input.outcome())
              .bind("at", now)
              .execute();
          var insert =
              h.prepareBatch("INSERT INTO call_participants (call_id, subject_id) VALUES (:c, :s)");
          insert.bind("c", id).bind("s", input.from()).add();
          for (String callee : input.to()) {
            insert.bind("c", id).bind("s", callee).add();
          }
          insert.execute();
        });
    return new Call(id, input, Instant.ofEpochMilli(now));
  }
}
