package app.candor.personal;

import app.candor.core.crypto.BlindIndex;
import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * People found by their phone or email without either leaving this package in the clear: an address
 * is normalised here (phones to E.164, emails lower-cased, as for people themselves) and turned
 * into the same keyed blind index their record carries, so another domain (an uploaded address
 * book) keeps and compares blind indexes only, and matching is an index lookup. The composition
 * root hands these functions to the domains that need them.
 */
public final class Addresses {

  /** The two kinds of address, as the blind indexes name them. */
  public static final String PHONE = "phone";

  public static final String EMAIL = "email";

  private static final int SLICE = 500;

  private final Database db;
  private final BlindIndex blind;

  public Addresses(Database db, BlindIndex blind) {
    this.db = Objects.requireNonNull(db, "db");
    this.blind = Objects.requireNonNull(blind, "blind");
  }

  /**
   * The blind index of the address {@code raw} of kind {@code channel} ({@link #PHONE} or {@link
   * #EMAIL}), normalised as a person's own; empty when it is not a valid address of that kind.
   */
  public Optional<String> index(String channel, String raw) {
    Objects.requireNonNull(raw, "raw");
    Optional<String> normalized =
        switch (channel) {
          case PHONE -> Contact.phone(raw);
          case EMAIL -> Contact.email(raw);
          default -> throw new IllegalArgumentException("unknown address kind " + channel);
        };
    return normalized.map(n -> blind.of(channel, n));
  }

  /**
   * The people registered with any of {@code indexes} (blind indexes of kind {@code channel}):
   * index to person id. Erased people have no record, so they are never found.
   */
  public Map<String, String> holders(String channel, Collection<String> indexes) {
    String column = column(channel);
    Map<String, String> out = new HashMap<>();
    List<String> all = new ArrayList<>(indexes);
    for (int i = 0; i < all.size(); i += SLICE) {
      List<String> slice = all.subList(i, Math.min(all.size(), i + SLICE));
      db.withHandle(
              h ->
                  h.createQuery(
                          "SELECT "
                              + column
                              + ", subject_id FROM people WHERE "
                              + column
                              + " IN (<b>)")
                      .bindList("b", slice)
                      .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                      .list())
          .forEach(e -> out.put(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** The blind indexes of the person's own phone and email, by kind; empty when unknown. */
  public Map<String, String> of(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT phone_bidx, email_bidx FROM people WHERE subject_id = :s")
                .bind("s", subjectId)
                .map(
                    (rs, ctx) -> {
                      Map<String, String> out = new LinkedHashMap<>();
                      Optional.ofNullable(rs.getString(1)).ifPresent(p -> out.put(PHONE, p));
                      Optional.ofNullable(rs.getString(2)).ifPresent(e -> out.put(EMAIL, e));
                      return out;
                    })
                .findOne()
                .orElseGet(Map::of));
  }

  private static String column(String channel) {
    return switch (channel) {
      case PHONE -> "phone_bidx";
      case EMAIL -> "email_bidx";
      default -> throw new IllegalArgumentException("unknown address kind " + channel);
    };
  }
}
