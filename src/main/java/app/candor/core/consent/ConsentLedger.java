package app.candor.core.consent;

import app.candor.core.catalog.Purpose;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Each person's choices per purpose, with the full history of changes. Purposes start at their
 * default (consent purposes off); only explicit decisions are stored. A withdrawal takes effect for
 * the very next read, because every gate check reads the ledger.
 */
public final class ConsentLedger {

  /** The current state of one purpose for one person. */
  public record State(
      Purpose purpose,
      boolean granted,
      Optional<String> level,
      boolean required,
      Optional<Instant> updatedAt,
      Optional<String> source) {}

  /** One decision in the history. */
  public record Event(
      Purpose purpose, boolean granted, Optional<String> level, String source, Instant at) {}

  private final Database db;
  private final Clock clock;
  private final List<java.util.function.BiConsumer<String, Purpose>> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public ConsentLedger(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Called after every committed decision, with the person and the purpose (cache invalidation).
   */
  public void onChange(java.util.function.BiConsumer<String, Purpose> listener) {
    listeners.add(listener);
  }

  public List<State> current(String subjectId) {
    Map<Purpose, State> stored = new EnumMap<>(Purpose.class);
    db.withHandle(
            h ->
                h.createQuery(
                        "SELECT purpose, granted, level, updated_at, source FROM consents"
                            + " WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .map(
                        (rs, ctx) -> {
                          Purpose p = Purpose.byId(rs.getString(1)).orElseThrow();
                          return new State(
                              p,
                              rs.getBoolean(2),
                              Optional.ofNullable(rs.getString(3)),
                              !p.withdrawable(),
                              Optional.of(Instant.ofEpochMilli(rs.getLong(4))),
                              Optional.of(rs.getString(5)));
                        })
                    .list())
        .forEach(s -> stored.put(s.purpose(), s));
    List<State> out = new ArrayList<>();
    for (Purpose p : Purpose.values()) {
      out.add(
          stored.getOrDefault(
              p,
              new State(
                  p,
                  p.defaultGranted(),
                  Optional.empty(),
                  !p.withdrawable(),
                  Optional.empty(),
                  Optional.empty())));
    }
    return out;
  }

  public State state(String subjectId, Purpose purpose) {
    return current(subjectId).stream()
        .filter(s -> s.purpose() == purpose)
        .findFirst()
        .orElseThrow();
  }

  /** Everyone who has granted a consent purpose (rebuilding in-memory indexes at start). */
  public java.util.Set<String> holders(Purpose purpose) {
    if (!purpose.withdrawable()) {
      throw new IllegalArgumentException(purpose.id() + " is held by everyone");
    }
    return new java.util.HashSet<>(
        db.withHandle(
            h ->
                h.createQuery("SELECT subject_id FROM consents WHERE purpose = :p AND granted = :g")
                    .bind("p", purpose.id())
                    .bind("g", true)
                    .mapTo(String.class)
                    .list()));
  }

  /**
   * Those of {@code subjectIds} who hold {@code purpose} now: one query for a whole answer's worth
   * of people (people nearby), read from the ledger so a withdrawal on any node counts at once.
   */
  public java.util.Set<String> holdersAmong(
      java.util.Collection<String> subjectIds, Purpose purpose) {
    if (!purpose.withdrawable()) {
      return java.util.Set.copyOf(subjectIds);
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(subjectIds));
    for (int i = 0; i < all.size(); i += 500) {
      List<String> slice = all.subList(i, Math.min(all.size(), i + 500));
      out.addAll(
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT subject_id FROM consents WHERE purpose = :p AND granted = :g"
                              + " AND subject_id IN (<s>)")
                      .bind("p", purpose.id())
                      .bind("g", true)
                      .bindList("s", slice)
                      .mapTo(String.class)
                      .list()));
    }
    return out;
  }

  public boolean holds(String subjectId, Purpose purpose) {
    if (!purpose.withdrawable()) {
      return true;
    }
    return db.withHandle(
        h ->
            h.createQuery("SELECT granted FROM consents WHERE subject_id = :s AND purpose = :p")
                .bind("s", subjectId)
                .bind("p", purpose.id())
                .mapTo(Boolean.class)
                .findOne()
                .orElse(purpose.defaultGranted()));
  }

  /**
   * Those of {@code subjectIds} who hold {@code purpose} now at one of {@code levels} (a grant
   * stored without a level counts at the purpose's default level): people nearby shows only those
   * visible to everyone, read from the ledger so a change on any node counts at once.
   */
  public java.util.Set<String> holdersAmong(
      java.util.Collection<String> subjectIds, Purpose purpose, java.util.Set<String> levels) {
    java.util.Set<String> out = new java.util.HashSet<>();
    List<String> all = new ArrayList<>(new java.util.LinkedHashSet<>(subjectIds));
    for (int i = 0; i < all.size(); i += 500) {
      List<String> slice = all.subList(i, Math.min(all.size(), i + 500));
      out.addAll(
          db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT subject_id FROM consents WHERE purpose = :p AND granted = :g"
                              + " AND subject_id IN (<s>) AND "
                              + levelCondition(purpose, levels))
                      .bind("p", purpose.id())
                      .bind("g", true)
                      .bindList("s", slice)
                      .bindList("l", List.copyOf(levels))
                      .mapTo(String.class)
                      .list()));
    }
    return out;
  }

  /** Everyone who has granted {@code purpose} at one of {@code levels} (rebuilding indexes). */
  public java.util.Set<String> holders(Purpose purpose, java.util.Set<String> levels) {
    return new java.util.HashSet<>(
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT subject_id FROM consents WHERE purpose = :p AND granted = :g AND "
                            + levelCondition(purpose, levels))
                    .bind("p", purpose.id())
                    .bind("g", true)
                    .bindList("l", List.copyOf(levels))
                    .mapTo(String.class)
                    .list()));
  }

  private static String levelCondition(Purpose purpose, java.util.Set<String> levels) {
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("no level to look for");
    }
    boolean byDefault = purpose.defaultLevel().filter(levels::contains).isPresent();
    return byDefault ? "(level IN (<l>) OR level IS NULL)" : "level IN (<l>)";
  }

  /**
   * Records a decision. Withdrawing a purpose that cannot be withdrawn is a conflict; a level is
   * required when granting {@code location}, optional when granting {@code nearby_discovery}
   * (everyone by default), and refused for every other purpose and for withdrawals.
   */
  public State decide(
      String subjectId, Purpose purpose, boolean granted, Optional<String> level, String source) {
    Optional<String> effectiveLevel = validateLevel(purpose, granted, level);
    if (!granted && !purpose.withdrawable()) {
      throw CandorException.conflict(
          "'"
              + purpose.id()
              + "' is based on "
              + purpose.basis().label()
              + " and cannot be withdrawn; erase the account to end it");
    }
    long now = clock.millis();
    db.useTransaction(h -> write(h, subjectId, purpose, granted, effectiveLevel, source, now));
    listeners.forEach(l -> l.accept(subjectId, purpose));
    return new State(
        purpose,
        granted,
        effectiveLevel,
        !purpose.withdrawable(),
        Optional.of(Instant.ofEpochMilli(now)),
        Optional.of(source));
  }

  /** Writes a decision inside the caller's transaction (used when creating people in bulk). */
  public void write(
      Handle h,
      String subjectId,
      Purpose purpose,
      boolean granted,
      Optional<String> level,
      String source,
      long now) {
    Map<String, Object> values = new java.util.HashMap<>();
    values.put("id", UUID.randomUUID().toString());
    values.put("s", subjectId);
    values.put("p", purpose.id());
    values.put("g", granted);
    values.put("l", level.orElse(null));
    values.put("src", source);
    values.put("t", now);
    h.createUpdate(
            "INSERT INTO consents (subject_id, purpose, granted, level, source, updated_at)"
                + " VALUES (:s, :p, :g, :l, :src, :t) ON CONFLICT (subject_id, purpose) DO UPDATE"
                + " SET granted = excluded.granted, level = excluded.level,"
                + " source = excluded.source, updated_at = excluded.updated_at")
        .bindMap(values)
        .execute();
    h.createUpdate(
            "INSERT INTO consent_events (id, subject_id, purpose, granted, level, source, at)"
                + " VALUES (:id, :s, :p, :g, :l, :src, :t)")
        .bindMap(values)
        .execute();
  }

  private static Optional<String> validateLevel(
      Purpose purpose, boolean granted, Optional<String> level) {
    if (!purpose.hasLevels()) {
      if (level.isPresent()) {
        throw CandorException.invalid(
            "level", "only the 'location' and 'nearby_discovery' purposes take a level");
      }
      return Optional.empty();
    }
    if (!granted) {
      if (level.isPresent()) {
        throw CandorException.invalid("level", "a withdrawn consent has no level");
      }
      return Optional.empty();
    }
    if (level.isEmpty()) {
      return Optional.of(
          purpose
              .defaultLevel()
              .orElseThrow(
                  () ->
                      CandorException.invalid(
                          "level",
                          "required when granting '"
                              + purpose.id()
                              + "': one of "
                              + purpose.levels())));
    }
    if (!purpose.levels().contains(level.get())) {
      throw CandorException.invalid("level", "must be one of " + purpose.levels());
    }
    return level;
  }

  public List<Event> history(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT purpose, granted, level, source, at FROM consent_events"
                        + " WHERE subject_id = :s ORDER BY at, id")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) ->
                        new Event(
                            Purpose.byId(rs.getString(1)).orElseThrow(),
                            rs.getBoolean(2),
                            Optional.ofNullable(rs.getString(3)),
                            rs.getString(4),
                            Instant.ofEpochMilli(rs.getLong(5))))
                .list());
  }

  /** Deletes the person's consents and history inside the caller's transaction. */
  public int erase(Handle h, String subjectId) {
    int events =
        h.createUpdate("DELETE FROM consent_events WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute();
    int current =
        h.createUpdate("DELETE FROM consents WHERE subject_id = :s").bind("s", subjectId).execute();
    return events + current;
  }

  /** How many people have made at least one decision. */
  public long subjectsWithDecisions() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM consents")
                .mapTo(Long.class)
                .one());
  }
}
