package app.candor.core.access;

import app.candor.core.audit.AccessLog;
import app.candor.core.auth.Caller;
import app.candor.core.auth.UserTokens;
import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.Purpose;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.errors.CandorException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one gate for a person's data. Every route states what it does as an {@link Access} and asks
 * here: who may call (the person, services holding the purpose, operators), which purpose, which
 * catalog fields that purpose may read, whether the person exists and holds the consent. Reads run
 * inside {@link #read}, which hands the domain a {@link Grant} (the only way to obtain one: domain
 * readers take a grant, not an id) and writes the access-log entry, durably, before the answer can
 * be sent. A person reading their own data is not logged; anyone not allowed to know the person
 * exists is told they do not.
 */
public final class PurposeGate {

  public static final String PURPOSE_HEADER = "Candor-Purpose";

  /** The purpose operators' privacy requests (report, export, access log) are logged under. */
  public static final String PRIVACY_REQUEST = "privacy_request";

  private final Catalog catalog;
  private final ConsentLedger consents;
  private final AccessLog accessLog;
  private final SubjectDirectory directory;
  private final UserTokens tokens;

  public PurposeGate(
      Catalog catalog,
      ConsentLedger consents,
      AccessLog accessLog,
      SubjectDirectory directory,
      UserTokens tokens) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.consents = Objects.requireNonNull(consents, "consents");
    this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /**
   * Reads the person's data through {@code reader}, if {@code caller} may: the reader receives the
   * grant (fields it may reveal), and the fields it revealed are logged for services and operators
   * before this returns.
   *
   * @param purposeHeader the {@code Candor-Purpose} header, for an access whose purpose the caller
   *     names
   */
  public <T> T read(
      Caller caller,
      String subjectId,
      Optional<String> purposeHeader,
      Access access,
      Function<Grant, T> reader) {
    Grant grant = authorize(caller, subjectId, purposeHeader, access, Lookup.GATE);
    T result = reader.apply(grant);
    if (!grant.self()) {
      accessLog.read(subjectId, caller.label(), grant.logPurpose(), grant.revealed());
    }
    return result;
  }

  /**
   * As {@link #read}, for a reader that looks up the person's own record and answers empty when
   * there is none: the gate then does not look the person up first (one query instead of two on the
   * busiest read), and an empty answer is "no such person", logged nowhere. Where the purpose needs
   * the person's consent, the gate still checks both first, as {@link #read} does.
   */
  public <T> T readOne(
      Caller caller,
      String subjectId,
      Optional<String> purposeHeader,
      Access access,
      Function<Grant, Optional<T>> reader) {
    return accessLog.await(readOneLater(caller, subjectId, purposeHeader, access, reader));
  }

  /**
   * As {@link #readOne}, without waiting: the future completes with the answer once its access-log
   * entry is durable (or fails as {@link #readOne} would throw), so the request's thread is free
   * meanwhile. A refusal or a missing person throws at once, as {@link #readOne} does.
   */
  public <T> java.util.concurrent.CompletableFuture<T> readOneLater(
      Caller caller,
      String subjectId,
      Optional<String> purposeHeader,
      Access access,
      Function<Grant, Optional<T>> reader) {
    Grant grant = authorize(caller, subjectId, purposeHeader, access, Lookup.READER);
    T result = reader.apply(grant).orElseThrow(() -> CandorException.notFound("person"));
    if (grant.self()) {
      return java.util.concurrent.CompletableFuture.completedFuture(result);
    }
    return accessLog
        .readLater(subjectId, caller.label(), grant.logPurpose(), grant.revealed())
        .thenApply(logged -> result);
  }

  /**
   * Checks that {@code caller} may make a change to the person ({@code access} describes it) and
   * returns the grant the domain's change takes; nothing is read, so nothing is logged. Throws as
   * {@link #read} would.
   */
  public Grant change(Caller caller, String subjectId, Access access) {
    return authorize(caller, subjectId, Optional.empty(), access, Lookup.GATE);
  }

  /**
   * As {@link #change}, for a domain whose writer checks inside its own transaction that the person
   * exists and holds the access's purpose, and refuses the change otherwise (as 404 and 403): the
   * gate then checks the caller alone, and the database decides the rest where it is written, on
   * whichever node. Position updates take this road, many thousand a second.
   */
  public Grant changeCheckedByWriter(Caller caller, String subjectId, Access access) {
    return authorize(caller, subjectId, Optional.empty(), access, Lookup.WRITER);
  }

  /**
   * Records, once a change made with {@code grant} succeeded, that an operator or a service made it
   * (the person sees who acted on their data); the person's own changes are not logged.
   */
  public void changed(Grant grant) {
    if (!grant.self()) {
      grant.revealAll();
      accessLog.read(
          grant.subjectId(), grant.caller().label(), grant.logPurpose(), grant.revealed());
    }
  }

  /**
   * As {@link #changed}, inside the transaction that makes the change, which has checked that the
   * person still exists: the entry commits with the change, so a change needs no second commit to
   * be logged durably (transfers, many thousand a second).
   */
  public void changedIn(org.jdbi.v3.core.Handle h, Grant grant) {
    if (!grant.self()) {
      grant.revealAll();
      accessLog.readIn(
          h, grant.subjectId(), grant.caller().label(), grant.logPurpose(), grant.revealed());
    }
  }

  /**
   * Records, inside the transaction of a change made with {@code grant}, that Candor read {@code
   * fieldIds} of the person for {@code purpose} on the caller's behalf (the fraud check reading
   * where the payer usually is, under their location consent, for {@code safety}). Each field must
   * be readable for the purpose; the person's own changes are not logged.
   */
  public void usedIn(
      org.jdbi.v3.core.Handle h, Grant grant, Purpose purpose, List<String> fieldIds) {
    fieldIds.forEach(
        f -> {
          if (!catalog.require(f).readableFor(purpose)) {
            throw new IllegalArgumentException(f + " is not readable for " + purpose.id());
          }
        });
    if (!grant.self()) {
      accessLog.readIn(h, grant.subjectId(), grant.caller().label(), purpose.id(), fieldIds);
    }
  }

  /**
   * Checks that {@code caller} may ask for aggregates or send data for {@code purpose}: operators
   * (when {@code operators}) and services whose key holds the purpose; nobody's data is read.
   */
  public void aggregate(Caller caller, Purpose purpose, boolean operators, String what) {
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    if (caller instanceof Caller.Admin && !operators) {
      throw CandorException.forbidden(what + " are for services with '" + purpose.id() + "'");
    }
    if (caller instanceof Caller.Service s && !s.may(purpose)) {
      throw CandorException.forbidden(
          what + " need a service key with the '" + purpose.id() + "' purpose");
    }
    if (caller instanceof Caller.User) {
      throw CandorException.forbidden(
          what + " are for " + (operators ? "operators and " : "") + "services");
    }
  }

  /**
   * Others' data shown to a viewer whom {@code viewer} authorized (people nearby): only those of
   * {@code subjectIds} who hold {@code purpose} are passed to {@code reader}, which reveals {@code
   * fieldIds} of them; each is then counted into their access log's entry of the day, durably.
   */
  public <T> T readShown(
      Grant viewer,
      Collection<String> subjectIds,
      Purpose purpose,
      List<String> fieldIds,
      Function<Set<String>, T> reader) {
    return readShown(viewer, subjectIds, purpose, Set.of(), fieldIds, reader);
  }

  /**
   * As {@link #readShown(Grant, Collection, Purpose, List, Function)}, passing on only those who
   * hold {@code purpose} at one of {@code levels} (any level when empty): people nearby shows
   * strangers only the people visible to everyone, whatever an index on one node still holds.
   */
  public <T> T readShown(
      Grant viewer,
      Collection<String> subjectIds,
      Purpose purpose,
      Set<String> levels,
      List<String> fieldIds,
      Function<Set<String>, T> reader) {
    fieldIds.forEach(
        f -> {
          if (!catalog.require(f).readableFor(purpose)) {
            throw new IllegalArgumentException(f + " is not readable for " + purpose.id());
          }
        });
    Set<String> allowed =
        levels.isEmpty()
            ? consents.holdersAmong(subjectIds, purpose)
            : consents.holdersAmong(subjectIds, purpose, levels);
    T result = reader.apply(allowed);
    accessLog.shown(allowed, viewer.caller().label(), purpose.id(), fieldIds);
    return result;
  }

  /** The person's consents, through a grant for {@code personal.consents}. */
  public List<ConsentLedger.State> consents(Grant grant) {
    require(grant, "personal.consents");
    return consents.current(grant.subjectId());
  }

  /**
   * The person's consent decisions, oldest first, through a grant for {@code personal.consents}.
   */
  public List<ConsentLedger.Event> consentHistory(Grant grant) {
    require(grant, "personal.consents");
    return consents.history(grant.subjectId());
  }

  /** The person's access log, through a grant for {@code personal.accessLog}. */
  public List<AccessLog.Entry> accessLog(Grant grant) {
    require(grant, "personal.accessLog");
    return accessLog.entries(grant.subjectId());
  }

  /** The person's sign-in sessions, through a grant for {@code personal.signInSessions}. */
  public List<UserTokens.Session> sessions(Grant grant) {
    require(grant, "personal.signInSessions");
    return tokens.sessions(grant.subjectId());
  }

  private static void require(Grant grant, String fieldId) {
    if (!grant.reveal(fieldId)) {
      throw CandorException.forbidden("this read does not cover " + fieldId);
    }
  }

  /** Who establishes that the person exists (and, for a writer, holds the purpose). */
  private enum Lookup {
    /** The gate, before anything else. */
    GATE,
    /**
     * The reader, which finds the person's record or answers empty; the gate still looks the person
     * up where the purpose needs consent (absent people hold none, and must still be told apart
     * from people who withheld it).
     */
    READER,
    /** The domain's writer, in its transaction: existence and consent both. */
    WRITER
  }

  /** The grant for {@code access}, or the refusal. */
  private Grant authorize(
      Caller caller,
      String subjectId,
      Optional<String> purposeHeader,
      Access access,
      Lookup lookup) {
    boolean lookUp = lookup == Lookup.GATE;
    if (caller instanceof Caller.Anonymous) {
      throw CandorException.unauthenticated("a bearer token is required");
    }
    if (caller instanceof Caller.User u) {
      if (!u.subjectId().equals(subjectId) || (lookUp && !directory.exists(subjectId))) {
        throw CandorException.notFound("person");
      }
      return new Grant(caller, subjectId, access.purpose(), PRIVACY_REQUEST, fields(access, null));
    }
    if (caller instanceof Caller.Admin) {
      if (access.operators() == Access.Operators.NO) {
        throw CandorException.forbidden(access.refusal());
      }
      if (access.operators() == Access.Operators.PRIVACY_REQUEST) {
        if (lookUp) {
          requireExists(subjectId);
        }
        return new Grant(
            caller, subjectId, Optional.empty(), PRIVACY_REQUEST, fields(access, null));
      }
    }
    if (caller instanceof Caller.Service && !access.services()) {
      throw CandorException.forbidden(access.refusal());
    }
    Purpose purpose = access.purpose().orElseGet(() -> parsePurpose(purposeHeader));
    if (caller instanceof Caller.Service service && !service.may(purpose)) {
      throw CandorException.forbidden(
          "this service key is not allowed the purpose '" + purpose.id() + "'");
    }
    if (lookup == Lookup.WRITER) {
      return new Grant(
          caller, subjectId, Optional.of(purpose), purpose.id(), fields(access, purpose));
    }
    if (lookUp || purpose.withdrawable()) {
      requireExists(subjectId);
    }
    if (!consents.holds(subjectId, purpose)) {
      throw CandorException.forbidden(
          "the person has not consented to '" + purpose.id() + "' (or has withdrawn it)");
    }
    return new Grant(
        caller, subjectId, Optional.of(purpose), purpose.id(), fields(access, purpose));
  }

  private void requireExists(String subjectId) {
    if (!directory.exists(subjectId)) {
      throw CandorException.notFound("person");
    }
  }

  /** The access's fields; for a purpose, only those the catalog lets it read. */
  private List<FieldSpec> fields(Access access, Purpose purpose) {
    List<FieldSpec> all =
        !access.fieldIds().isEmpty()
            ? access.fieldIds().stream().map(catalog::require).toList()
            : access.category().map(catalog::fields).orElseGet(catalog::fields);
    return purpose == null ? all : all.stream().filter(f -> f.readableFor(purpose)).toList();
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
