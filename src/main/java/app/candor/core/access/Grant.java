package app.candor.core.access;

import app.candor.core.auth.Caller;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.Purpose;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Permission to read some fields of one person, for one purpose, made only by the {@link
 * PurposeGate} for the duration of one read. Readers ask {@link #reveal} before putting a field in
 * an answer; what they revealed is what the access log records.
 */
public final class Grant {
  private final Caller caller;
  private final String subjectId;
  private final Optional<Purpose> purpose;
  private final String logPurpose;
  private final List<FieldSpec> fields;
  private final Set<String> revealed = new LinkedHashSet<>();

  Grant(
      Caller caller,
      String subjectId,
      Optional<Purpose> purpose,
      String logPurpose,
      List<FieldSpec> fields) {
    this.caller = caller;
    this.subjectId = subjectId;
    this.purpose = purpose;
    this.logPurpose = logPurpose;
    this.fields = List.copyOf(fields);
  }

  public Caller caller() {
    return caller;
  }

  /** The person whose data may be read. */
  public String subjectId() {
    return subjectId;
  }

  /** The purpose of the read; empty for the person themself and for privacy requests. */
  public Optional<Purpose> purpose() {
    return purpose;
  }

  /** Whether the person reads their own data. */
  public boolean self() {
    return caller instanceof Caller.User;
  }

  /** The fields this grant may reveal. */
  public List<FieldSpec> fields() {
    return fields;
  }

  /** Whether {@code fieldId} may be revealed; if so, it is recorded as read. */
  public synchronized boolean reveal(String fieldId) {
    for (FieldSpec f : fields) {
      if (f.id().equals(fieldId)) {
        revealed.add(fieldId);
        return true;
      }
    }
    return false;
  }

  /** Records every field of the grant as read (an answer that shows them all). */
  public synchronized void revealAll() {
    fields.forEach(f -> revealed.add(f.id()));
  }

  synchronized List<String> revealed() {
    return new ArrayList<>(revealed);
  }

  String logPurpose() {
    return logPurpose;
  }

  @Override
  public String toString() {
    return "Grant[" + caller.label() + ", " + logPurpose + ", masked]";
  }
}
