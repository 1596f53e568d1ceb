package app.candor.core.auth;

import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.Secrets;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** The app's services and their keys, each key bound to the purposes the service may claim. */
public final class ServiceRegistry {

  /** A registered service; {@code apiKey} is present only in the response that created it. */
  public record Registered(
      String id, String name, Set<Purpose> purposes, Instant createdAt, Optional<String> apiKey) {}

  private static final String KEY_PREFIX = "cs_";
  private final Database db;
  private final Clock clock;

  /**
   * Keys seen lately, by hash: every request of a service presents its key, and a database read
   * each time cost a pooled connection per request. Entries live {@link #KNOWN_MILLIS}; rotating a
   * key clears them, so an old key stops working at once on this node (on other nodes within that
   * time).
   */
  private final java.util.Map<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

  static final long KNOWN_MILLIS = 10_000;

  private record Known(Caller.Service service, long until) {}

  /** Bumped by every rotation: a lookup that raced with one is not cached. */
  private final java.util.concurrent.atomic.AtomicLong generation =
      new java.util.concurrent.atomic.AtomicLong();

  public ServiceRegistry(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Registers a service; the returned key is shown once and stored only as a hash. */
  public Registered register(String name, Set<Purpose> purposes) {
    String id = UUID.randomUUID().toString();
    String key = Secrets.token(KEY_PREFIX);
    long now = clock.millis();
    try {
      db.useTransaction(
          h ->
              h.createUpdate(
                      "INSERT INTO services (id, name, purposes, key_hash, created_at)"
                          + " VALUES (:id, :name, :purposes, :hash, :at)")
                  .bind("id", id)
                  .bind("name", name)
                  .bind("purposes", encode(purposes))
                  .bind("hash", Secrets.sha256(key))
                  .bind("at", now)
                  .execute());
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw CandorException.conflict("a service named '" + name + "' already exists");
      }
      throw e;
    }
    return new Registered(id, name, purposes, Instant.ofEpochMilli(now), Optional.of(key));
  }

  /** Issues a new key for the service named {@code name}; the old key stops working at once. */
  public Optional<Registered> rotateKey(String name) {
    String key = Secrets.token(KEY_PREFIX);
    int updated =
        db.inTransaction(
            h ->
                h.createUpdate("UPDATE services SET key_hash = :hash WHERE name = :name")
                    .bind("hash", Secrets.sha256(key))
                    .bind("name", name)
                    .execute());
    generation.incrementAndGet();
    known.clear();
    if (updated == 0) {
      return Optional.empty();
    }
    return list().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .map(s -> new Registered(s.id(), s.name(), s.purposes(), s.createdAt(), Optional.of(key)));
  }

  public List<Registered> list() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT id, name, purposes, created_at FROM services ORDER BY name")
                .map(
                    (rs, ctx) ->
                        new Registered(
                            rs.getString(1),
                            rs.getString(2),
                            decode(rs.getString(3)),
                            Instant.ofEpochMilli(rs.getLong(4)),
                            Optional.empty()))
                .list());
  }

  /** The service holding {@code apiKey}, looked up by its hash. */
  Optional<Caller.Service> authenticate(String apiKey) {
    if (!apiKey.startsWith(KEY_PREFIX)) {
      return Optional.empty();
    }
    String hash = Secrets.sha256(apiKey);
    long now = clock.millis();
    long seen = generation.get();
    Known cached = known.get(hash);
    if (cached != null && cached.until() > now) {
      return Optional.of(cached.service());
    }
    Optional<Caller.Service> found =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT id, name, purposes, key_hash FROM services WHERE key_hash = :h")
                    .bind("h", hash)
                    .map(
                        (rs, ctx) ->
                            Secrets.constantTimeEquals(rs.getString(4), hash)
                                ? Optional.of(
                                    new Caller.Service(
                                        rs.getString(1), rs.getString(2), decode(rs.getString(3))))
                                : Optional.<Caller.Service>empty())
                    .findOne()
                    .flatMap(o -> o));
    if (known.size() > 10_000) {
      known.clear();
    }
    if (found.isPresent() && generation.get() == seen) {
      known.put(hash, new Known(found.get(), now + KNOWN_MILLIS));
    }
    return found;
  }

  private static String encode(Set<Purpose> purposes) {
    return purposes.stream().map(Purpose::id).sorted().collect(Collectors.joining(","));
  }

  private static Set<Purpose> decode(String purposes) {
    EnumSet<Purpose> out = EnumSet.noneOf(Purpose.class);
    Arrays.stream(purposes.split(","))
        .filter(s -> !s.isEmpty())
        .forEach(s -> Purpose.byId(s).ifPresent(out::add));
    return out;
  }
}
