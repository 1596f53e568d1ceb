package app.candor.core.access;

import app.candor.core.audit.AccessLog;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.Purpose;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.errors.CandorException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one gate every read of personal data passes. For a service or an operator: a purpose must be
 * named, the caller's key must allow it, the person must exist and hold the consent, and only the
 * catalog's fields for that purpose come back; the read is then written to the person's access log.
 * A person reading their own data sees everything and is not logged. Anyone else is told the person
 * does not exist.
 */
public final class PurposeGate {

  /** Permission to read {@code fields} of one person, for one purpose (empty for the person). */
  public record Grant(
      Caller caller, String subjectId, Optional<Purpose> purpose, List<FieldSpec> fields) {

    public boolean allows(String fieldId) {
      return fields.stream().anyMatch(f -> f.id().equals(fieldId));
    }
  }

  public static final String PURPOSE_HEADER = "Candor-Purpose";

  private final Catalog catalog;
  private final ConsentLedger consents;
  private final AccessLog accessLog;
  private final SubjectDirectory directory;

  public PurposeGate(
      Catalog catalog, ConsentLedger consents, AccessLog accessLog, SubjectDirectory directory) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.consents = Objects.requireNonNull(consents, "consents");
    this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  public Grant authorize(
      Caller caller, String subjectId, Optional<String> purposeName, Category category) {
    if (caller instanceof Caller.User user) {
      if (!user.subjectId().equals(subjectId) || !directory.exists(subjectId)) {
        throw CandorException.notFound("person");
      }
      return new Grant(caller, subjectId, Optional.empty(), catalog.fields(category));
    }
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    Purpose purpose = parsePurpose(purposeName);
    if (caller instanceof Caller.Service service && !service.may(purpose)) {
      throw CandorException.forbidden(
          "this service key is not allowed the purpose '" + purpose.id() + "'");
    }
    if (!directory.exists(subjectId)) {
      throw CandorException.notFound("person");
    }
    if (!consents.holds(subjectId, purpose)) {
      throw CandorException.forbidden(
          "the person has not consented to '" + purpose.id() + "' (or has withdrawn it)");
    }
    List<FieldSpec> fields =
        catalog.fields(category).stream().filter(f -> f.readableFor(purpose)).toList();
    return new Grant(caller, subjectId, Optional.of(purpose), fields);
  }

  /** Writes the read to the person's access log; reads by the person themself are not logged. */
  public void record(Grant grant, List<String> fieldsRead) {
    grant
        .purpose()
        .ifPresent(
            p -> accessLog.record(grant.subjectId(), grant.caller().label(), p.id(), fieldsRead));
  }

  /** Logs a privacy request handled by an operator (report, export) on the person's behalf. */
  public void recordPrivacyRequest(Caller caller, String subjectId, String what) {
    if (caller instanceof Caller.Admin) {
      accessLog.record(subjectId, caller.label(), "privacy_request", List.of(what));
    }
  }

  private static Purpose parsePurpose(Optional<String> purposeName) {
    String name =
        purposeName
            .filter(s -> !s.isBlank())
            .orElseThrow(
                () ->
                    CandorException.invalid(
                        PURPOSE_HEADER,
                        "required: name the purpose of this read, one of " + Purpose.allIds()));
    return Purpose.byId(name.trim())
        .orElseThrow(
            () ->
                CandorException.invalid(
                    PURPOSE_HEADER, "unknown purpose; use one of " + Purpose.allIds()));
  }
}
