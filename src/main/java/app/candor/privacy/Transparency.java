package app.candor.privacy;

import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.LegalBasis;
import app.candor.core.catalog.Purpose;
import app.candor.core.json.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app-wide answer to "What data does this app collect?", generated from the catalog and live
 * counts, never written by hand. Counts below {@link #MIN_COUNT} are shown as "fewer than 10".
 *
 * <p>The answer is public, so it must be cheap: the counts are taken in the background every {@link
 * #REFRESH_EVERY} (and at {@link #start}), and the JSON and HTML are rendered once per count. A
 * request copies bytes and touches no table; the answer states when its counts were taken.
 */
public final class Transparency implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Transparency.class);

  public static final int MIN_COUNT = 10;

  /** How often the counts are taken again: the most the counts on the page can lag. */
  public static final Duration REFRESH_EVERY = Duration.ofMinutes(1);

  /** One declared field, in public words. */
  public record Field(
      String name,
      String description,
      List<String> purposes,
      boolean encrypted,
      String retention) {}

  /**
   * One category. {@code optional}: collected only with consent. {@code encrypted}: at least one of
   * its fields is encrypted at rest (each field says which). {@code usersWithData}: a number,
   * "fewer than 10", or "not counted yet".
   */
  public record CategoryView(
      String id,
      String title,
      String description,
      List<Field> fields,
      List<String> purposes,
      boolean optional,
      boolean encrypted,
      String retention,
      Object usersWithData) {}

  /** One purpose and its legal basis. */
  public record PurposeView(
      String id, String legalBasis, String description, boolean defaultOn, boolean withdrawable) {}

  /**
   * The whole page. {@code countsAt}: when the numbers of people were counted (null until the first
   * count succeeded).
   */
  public record View(
      String appName,
      Instant generatedAt,
      @Nullable Instant countsAt,
      List<CategoryView> categories,
      List<PurposeView> purposes) {}

  /** What requests are answered with, rendered once per count. */
  private record Rendered(View view, byte[] json, String html) {}

  private final Catalog catalog;
  private final LiveCounts counts;
  private final String appName;
  private final Clock clock;
  private volatile Rendered rendered;
  private @Nullable ScheduledExecutorService refresher;

  public Transparency(Catalog catalog, List<SubjectData> providers, String appName, Clock clock) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.appName = Objects.requireNonNull(appName, "appName");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.counts = new LiveCounts(providers, clock);
    this.rendered = render(Optional.empty());
  }

  /** The page as data, as of the last count. */
  public View view() {
    return rendered.view();
  }

  /** The page as the JSON of {@code GET /v1/transparency}. */
  public byte[] json() {
    return rendered.json();
  }

  /** The page as a self-contained HTML page. */
  public String html() {
    return rendered.html();
  }

  /**
   * Counts again now and renders the answers anew. When counting fails the previous counts and
   * answers stay, and say when they were counted.
   */
  public synchronized void refresh() {
    if (counts.refresh()) {
      rendered = render(counts.latest());
    }
  }

  /** Counts now, so the first request has counts, then every {@code every} on a daemon thread. */
  public synchronized void start(Duration every) {
    if (refresher != null) {
      throw new IllegalStateException("already started");
    }
    refresh();
    refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "candor-transparency");
              t.setDaemon(true);
              return t;
            });
    long millis = every.toMillis();
    refresher.scheduleAtFixedRate(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** A task that throws is never run again: the refresher must not. */
  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("transparency page not refreshed: {}", e.getClass().getName());
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }

  private Rendered render(Optional<LiveCounts.Counts> taken) {
    View view = build(taken);
    try {
      return new Rendered(
          view, Json.mapper().writeValueAsBytes(view), TransparencyPage.html(view, MIN_COUNT));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the transparency view does not serialize", e);
    }
  }

  private View build(Optional<LiveCounts.Counts> taken) {
    List<CategoryView> categories = new ArrayList<>();
    for (Category c : Category.values()) {
      List<FieldSpec> specs = catalog.fields(c);
      Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
      specs.forEach(f -> purposes.addAll(f.purposes()));
      boolean optional =
          !specs.isEmpty() && purposes.stream().allMatch(p -> p.basis() == LegalBasis.CONSENT);
      Object users =
          taken
              .map(t -> t.people().getOrDefault(c, 0L))
              .<Object>map(n -> n < MIN_COUNT ? "fewer than " + MIN_COUNT : n)
              .orElse("not counted yet");
      categories.add(
          new CategoryView(
              c.id(),
              c.title(),
              c.description(),
              specs.stream()
                  .map(
                      f ->
                          new Field(
                              f.name(),
                              f.description(),
                              f.purposes().stream().map(Purpose::id).sorted().toList(),
                              f.encrypted(),
                              f.retention()))
                  .toList(),
              purposes.stream().map(Purpose::id).toList(),
              optional,
              specs.stream().anyMatch(FieldSpec::encrypted),
              retention(specs),
              users));
    }
    List<PurposeView> purposes =
        Arrays.stream(Purpose.values())
            .map(
                p ->
                    new PurposeView(
                        p.id(),
                        p.basis().label(),
                        p.description(),
                        p.defaultGranted(),
                        p.withdrawable()))
            .toList();
    return new View(
        appName,
        clock.instant(),
        taken.map(LiveCounts.Counts::takenAt).orElse(null),
        categories,
        purposes);
  }

  /** The retention most of the category's fields have, noting when some differ. */
  private static String retention(List<FieldSpec> specs) {
    if (specs.isEmpty()) {
      return "Not collected by this version";
    }
    Map<String, Long> counts =
        specs.stream()
            .collect(
                Collectors.groupingBy(
                    FieldSpec::retention, LinkedHashMap::new, Collectors.counting()));
    String main =
        counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    return counts.size() == 1 ? main : main + " (some fields differ, see each field)";
  }
}
