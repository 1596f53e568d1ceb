package app.candor.payment;

import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.core.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The businesses people pay: a name and a category, registered by operators. */
public final class Merchants {

  /** A merchant as the API shows it. */
  public record Merchant(String id, String name, String category, Instant createdAt) {}

  private final Database db;
  private final Clock clock;

  Merchants(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Registers a merchant; 400 naming a missing or overlong field. */
  public Merchant create(String name, String category) {
    Validation v = new Validation();
    if (name.isBlank() || name.length() > 200) {
      v.add("name", "is required, at most 200 characters");
    }
    if (category.isBlank() || category.length() > 100) {
      v.add("category", "is required, at most 100 characters");
    }
    v.throwIfInvalid();
    Merchant m =
        new Merchant(
            "mer_" + UUID.randomUUID().toString().replace("-", ""),
            name.strip(),
            category.strip(),
            clock.instant());
    db.useTransaction(
        h ->
            h.createUpdate(
                    "INSERT INTO merchants (id, name, category, created_at)"
                        + " VALUES (:id, :n, :c, :t)")
                .bind("id", m.id())
                .bind("n", m.name())
                .bind("c", m.category())
                .bind("t", m.createdAt().toEpochMilli())
                .execute());
    return m;
  }

  public Optional<Merchant> find(String id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT id, name, category, created_at FROM merchants WHERE id = :id")
                .bind("id", id)
                .map(
                    (rs, ctx) ->
                        new Merchant(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            Instant.ofEpochMilli(rs.getLong(4))))
                .findOne());
  }

  boolean exists(String id) {
    return find(id).isPresent();
  }

  /** The names of {@code ids} that exist. */
  Map<String, String> names(Collection<String> ids) {
    Map<String, String> out = new HashMap<>();
    for (String id : ids) {
      find(id).ifPresent(m -> out.put(id, m.name()));
    }
    return out;
  }

  /** 404 unless the merchant exists. */
  Merchant require(String id) {
    return find(id).orElseThrow(() -> CandorException.notFound("merchant"));
  }
}
