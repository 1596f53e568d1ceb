package app.candor.core.auth;

import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.Secrets;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * The app's services and their keys, each key bound to the purposes the service may claim.
 *
 * <p>The database is the truth about keys. A node may answer a key it has just read from the
 * database from memory for a short lease ({@link #LEASE}), so a busy service costs each node one
 * database read per lease instead of one per request. Every change that ends a key (a rotation, a
 * revocation) waits out the lease after it commits, before it returns: by the time the operator has
 * the answer, no node anywhere still holds a lease on the old key, so every node refuses it from
 * the very next request. A change made to the table behind Candor's back (by hand, in SQL) takes
 * effect within the lease.
 *
 * <p>A revoked service keeps its row and its name, marked with when it was revoked: the name is
 * never given to another service, so the access-log entries that name a caller {@code
 * service:<name>} keep meaning one service.
 */
public final class ServiceRegistry {

  /**
   * A registered service; {@code apiKey} is present only in the response that created it or gave it
   * a new key, {@code revokedAt} only once it is revoked.
   */
  public record Registered(
      String id,
      String name,
      Set<Purpose> purposes,
      Instant createdAt,
      Optional<Instant> revokedAt,
      Optional<String> apiKey) {

    public Registered {
      purposes = Set.copyOf(purposes);
    }

    public boolean revoked() {
      return revokedAt.isPresent();
    }

    Registered withKey(String key) {
      return new Registered(id, name, purposes, createdAt, revokedAt, Optional.of(key));
    }

    @Override
    public String toString() {
      return "Registered[" + id + ", " + name + ", key masked]";
    }
  }

  /**
   * How long a node may trust a key it read from the database. Short, since every rotation and
   * revocation waits it out; long enough that a busy service's key is read about four times a
   * second per node, not once per request.
   */
  public static final Duration LEASE = Duration.ofMillis(250);

  /**
   * The lease and a margin: leases are timed on each node's monotonic clock, whose rate may differ
   * from another node's by up to 500 ppm (NTP slewing), far less than the margin.
   */
  private static final long WAIT_NANOS = LEASE.toNanos() + Duration.ofMillis(10).toNanos();

  private static final int MAX_LEASES = 10_000;
  private static final String KEY_PREFIX = "cs_";
  private static final String COLUMNS = "id, name, purposes, created_at, revoked_at";
  private final Database db;
  private final Clock clock;

  /**
   * Keys read lately, by hash; a lease runs from before its read, so it never outlives {@link
   * #LEASE} after it.
   */
  private final Map<String, Lease> leases = new ConcurrentHashMap<>();

  private record Lease(Caller.Service service, long untilNanos) {}

  public ServiceRegistry(Database db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Registers a service; the returned key is shown once and stored only as a hash. A name in use,
   * also by a revoked service, is a conflict.
   */
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
        boolean revoked = byName(name).map(Registered::revoked).orElse(false);
        throw CandorException.conflict(
            revoked
                ? "a revoked service was named '"
                    + name
                    + "'; names are never reused, so access logs naming 'service:"
                    + name
                    + "' keep meaning that service: choose another name"
                : "a service named '" + name + "' already exists");
      }
      throw e;
    }
    return new Registered(
        id, name, purposes, Instant.ofEpochMilli(now), Optional.empty(), Optional.of(key));
  }

  /**
   * Issues a new key for the service; the old key is refused from the moment this commits, on every
   * node. Unknown id: 404; a revoked service: 409 (it cannot come back).
   */
  public Registered rotateKey(String id) {
    String key = Secrets.token(KEY_PREFIX);
    Registered rotated =
        db.inTransaction(
            h -> {
              int updated =
                  h.createUpdate(
                          "UPDATE services SET key_hash = :hash WHERE id = :id AND revoked_at IS NULL")
                      .bind("hash", Secrets.sha256(key))
                      .bind("id", id)
                      .execute();
              Registered service =
                  find(h, id).orElseThrow(() -> CandorException.notFound("service"));
              if (updated == 0) {
                throw alreadyRevoked(service);
              }
              return service.withKey(key);
            });
    awaitLeases(System.nanoTime());
    return rotated;
  }

  /**
   * Revokes the service: its key is refused from the moment this commits, on every node, and the
   * service cannot get a new one. Unknown id: 404; revoked already: 409.
   */
  public Registered revoke(String id) {
    long now = clock.millis();
    Registered revoked =
        db.inTransaction(
            h -> {
              // The hash goes too: the marker is no SHA-256 value, so no key can ever match it.
              int updated =
                  h.createUpdate(
                          "UPDATE services SET revoked_at = :now, key_hash = :marker"
                              + " WHERE id = :id AND revoked_at IS NULL")
                      .bind("now", now)
                      .bind("marker", "revoked:" + id)
                      .bind("id", id)
                      .execute();
              Registered service =
                  find(h, id).orElseThrow(() -> CandorException.notFound("service"));
              if (updated == 0) {
                throw alreadyRevoked(service);
              }
              return service;
            });
    awaitLeases(System.nanoTime());
    return revoked;
  }

  /** Every service, by name, the revoked ones included (marked with {@code revokedAt}). */
  public List<Registered> list() {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM services ORDER BY name")
                .map((rs, ctx) -> read(rs))
                .list());
  }

  public Optional<Registered> find(String id) {
    return db.withHandle(h -> find(h, id));
  }

  public Optional<Registered> byName(String name) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM services WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> read(rs))
                .findOne());
  }

  /**
   * The live service holding {@code apiKey}: from this node's lease on it, else looked up by its
   * hash in the database (and leased when found).
   */
  Optional<Caller.Service> authenticate(String apiKey) {
    if (!apiKey.startsWith(KEY_PREFIX)) {
      return Optional.empty();
    }
    String hash = Secrets.sha256(apiKey);
    long now = System.nanoTime();
    Lease lease = leases.get(hash);
    if (lease != null && now - lease.untilNanos() < 0) {
      return Optional.of(lease.service());
    }
    // Timed from before the read: the lease ends within LEASE of any change the read missed.
    Optional<Caller.Service> found = lookup(hash);
    if (found.isPresent()) {
      if (leases.size() >= MAX_LEASES) {
        leases.clear();
      }
      leases.put(hash, new Lease(found.get(), now + LEASE.toNanos()));
    } else {
      leases.remove(hash);
    }
    return found;
  }

  /**
   * Returns once every lease a node may have taken before {@code committedNanos} has run out: then
   * no node answers the changed key from memory. Interruption does not shorten the wait.
   */
  private static void awaitLeases(long committedNanos) {
    boolean interrupted = false;
    long left;
    while ((left = committedNanos + WAIT_NANOS - System.nanoTime()) > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private Optional<Caller.Service> lookup(String hash) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT id, name, purposes, key_hash FROM services"
                        + " WHERE key_hash = :h AND revoked_at IS NULL")
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
  }

  private static Optional<Registered> find(Handle h, String id) {
    return h.createQuery("SELECT " + COLUMNS + " FROM services WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> read(rs))
        .findOne();
  }

  private static Registered read(ResultSet rs) throws SQLException {
    long revokedAt = rs.getLong(5);
    boolean revoked = !rs.wasNull();
    return new Registered(
        rs.getString(1),
        rs.getString(2),
        decode(rs.getString(3)),
        Instant.ofEpochMilli(rs.getLong(4)),
        revoked ? Optional.of(Instant.ofEpochMilli(revokedAt)) : Optional.empty(),
        Optional.empty());
  }

  private static CandorException alreadyRevoked(Registered service) {
    return CandorException.conflict(
        "the service '"
            + service.name()
            + "' was revoked at "
            + service.revokedAt().map(Instant::toString).orElse("an earlier time")
            + "; a revoked service stays revoked: register a new one under a new name");
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
