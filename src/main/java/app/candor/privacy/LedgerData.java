package app.candor.privacy;

import app.candor.core.audit.AccessLog;
import app.candor.core.catalog.Category;
import app.candor.core.consent.ConsentLedger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** The core ledgers kept about a person: their consent decisions and the access log. */
public final class LedgerData implements SubjectData {

  private final ConsentLedger consents;
  private final AccessLog accessLog;

  public LedgerData(ConsentLedger consents, AccessLog accessLog) {
    this.consents = Objects.requireNonNull(consents, "consents");
    this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
  }

  @Override
  public Category category() {
    return Category.PERSONAL;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of("personal.consents", "personal.accessLog");
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<Held> out = new java.util.ArrayList<>();
    List<ConsentLedger.Event> history = consents.history(subjectId);
    List<Map<String, Object>> current =
        consents.current(subjectId).stream()
            .map(
                s -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("purpose", s.purpose().id());
                  m.put("granted", s.granted());
                  s.level().ifPresent(l -> m.put("level", l));
                  m.put("byDefault", s.updatedAt().isEmpty());
                  return m;
                })
            .toList();
    out.add(
        Held.value(
            "personal.consents",
            current,
            history.stream().findFirst().map(ConsentLedger.Event::at),
            history.isEmpty()
                ? Optional.empty()
                : Optional.of(history.get(history.size() - 1).at())));
    List<AccessLog.Entry> entries = accessLog.entries(subjectId);
    if (!entries.isEmpty()) {
      out.add(
          Held.count(
              "personal.accessLog",
              entries.size(),
              Optional.of(entries.get(0).at()),
              Optional.of(entries.get(entries.size() - 1).at())));
    }
    return out;
  }

  @Override
  public List<Table> tables(String subjectId) {
    List<List<String>> history =
        consents.history(subjectId).stream()
            .map(
                e ->
                    List.of(
                        e.at().toString(),
                        e.purpose().id(),
                        Boolean.toString(e.granted()),
                        e.level().orElse(""),
                        e.source()))
            .toList();
    List<List<String>> reads =
        accessLog.entries(subjectId).stream()
            .map(
                e ->
                    List.of(
                        e.at().toString(), e.caller(), e.purpose(), String.join(" ", e.fields())))
            .toList();
    return List.of(
        new Table(
            "personal.consents",
            "consent-history",
            List.of("at", "purpose", "granted", "level", "source"),
            history),
        new Table(
            "personal.accessLog",
            "access-log",
            List.of("at", "caller", "purpose", "fields"),
            reads));
  }

  @Override
  public int erase(Handle handle, String subjectId) {
    return consents.erase(handle, subjectId) + accessLog.erase(handle, subjectId);
  }

  @Override
  public long subjectsWithData() {
    return Math.max(consents.subjectsWithDecisions(), accessLog.subjectsWithEntries());
  }
}
