package app.candor.privacy;

import app.candor.core.catalog.Category;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many people have data in each category, counted through the providers and kept in memory, so
 * that answering the public transparency page reads no table: counting scans whole tables, and a
 * public route that ran it on every call would let anyone load the database at will.
 */
final class LiveCounts {
  private static final Logger LOG = LoggerFactory.getLogger(LiveCounts.class);

  /** The people with data per category, and when they were counted. */
  record Counts(Instant takenAt, Map<Category, Long> people) {}

  private final List<SubjectData> providers;
  private final Clock clock;
  private volatile Optional<Counts> latest = Optional.empty();

  LiveCounts(List<SubjectData> providers, Clock clock) {
    this.providers = List.copyOf(providers);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The last successful count; empty until one succeeded. */
  Optional<Counts> latest() {
    return latest;
  }

  /**
   * Counts again. On failure the previous counts stay (with their time, which the page shows) and
   * only the exception's class is logged: a message may quote SQL or data.
   *
   * @return whether new counts were taken
   */
  boolean refresh() {
    Instant at = clock.instant();
    try {
      Map<Category, Long> people = new EnumMap<>(Category.class);
      for (Category c : Category.values()) {
        // Every person with data in the category appears in its largest provider.
        people.put(
            c,
            providers.stream()
                .filter(p -> p.category() == c)
                .mapToLong(SubjectData::subjectsWithData)
                .max()
                .orElse(0));
      }
      latest = Optional.of(new Counts(at, Collections.unmodifiableMap(people)));
      return true;
    } catch (RuntimeException e) {
      LOG.warn(
          "transparency counts not refreshed, the previous ones stay: {}", e.getClass().getName());
      return false;
    }
  }
}
