package app.candor.privacy;

import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.LegalBasis;
import app.candor.core.catalog.Purpose;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The app-wide answer to "What data does this app collect?", generated from the catalog and live
 * counts, never written by hand. Counts below {@link #MIN_COUNT} are shown as "fewer than 10".
 */
public final class Transparency {

  public static final int MIN_COUNT = 10;

  /** One declared field, in public words. */
  public record Field(
      String name,
      String description,
      List<String> purposes,
      boolean encrypted,
      String retention) {}

  /**
   * One category. {@code optional}: collected only with consent. {@code encrypted}: at least one of
   * its fields is encrypted at rest (each field says which). {@code usersWithData}: a number, or
   * "fewer than 10".
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

  /** The whole page. */
  public record View(
      String appName,
      Instant generatedAt,
      List<CategoryView> categories,
      List<PurposeView> purposes) {}

  private final Catalog catalog;
  private final List<SubjectData> providers;
  private final String appName;
  private final Clock clock;

  public Transparency(Catalog catalog, List<SubjectData> providers, String appName, Clock clock) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.providers = List.copyOf(providers);
    this.appName = Objects.requireNonNull(appName, "appName");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public View view() {
    List<CategoryView> categories = new ArrayList<>();
    for (Category c : Category.values()) {
      List<FieldSpec> specs = catalog.fields(c);
      Set<Purpose> purposes = EnumSet.noneOf(Purpose.class);
      specs.forEach(f -> purposes.addAll(f.purposes()));
      boolean optional =
          !specs.isEmpty() && purposes.stream().allMatch(p -> p.basis() == LegalBasis.CONSENT);
      // Every person with data in the category appears in its largest provider.
      long users =
          providers.stream()
              .filter(p -> p.category() == c)
              .mapToLong(SubjectData::subjectsWithData)
              .max()
              .orElse(0);
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
              users < MIN_COUNT ? "fewer than " + MIN_COUNT : (Object) users));
    }
    List<PurposeView> purposes =
        java.util.Arrays.stream(Purpose.values())
            .map(
                p ->
                    new PurposeView(
                        p.id(),
                        p.basis().label(),
                        p.description(),
                        p.defaultGranted(),
                        p.withdrawable()))
            .toList();
    return new View(appName, clock.instant(), categories, purposes);
  }

  /** The retention most of the category's fields have, noting when some differ. */
  private static String retention(List<FieldSpec> specs) {
    if (specs.isEmpty()) {
      return "Not collected by this version";
    }
    java.util.Map<String, Long> counts =
        specs.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    FieldSpec::retention,
                    java.util.LinkedHashMap::new,
                    java.util.stream.Collectors.counting()));
    String main =
        counts.entrySet().stream()
            .max(java.util.Map.Entry.comparingByValue())
            .orElseThrow()
            .getKey();
    return counts.size() == 1 ? main : main + " (some fields differ, see each field)";
  }

  /** The same, as a self-contained HTML page. */
  public String html() {
    View view = view();
    StringBuilder out = new StringBuilder();
    String title = "What data does " + esc(view.appName()) + " collect?";
    out.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(title)
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;")
        .append("padding:0 1rem;line-height:1.5;color:#222}")
        .append("table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}")
        .append("th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;")
        .append("vertical-align:top}th{background:#f4f4f4}.meta{color:#555}")
        .append("</style></head><body>\n<h1>")
        .append(title)
        .append("</h1>\n<p class=\"meta\">Generated from the live data catalog at ")
        .append(view.generatedAt())
        .append(". Numbers of people below ")
        .append(MIN_COUNT)
        .append(" are not shown.</p>\n");
    for (CategoryView c : view.categories()) {
      out.append("<section id=\"").append(esc(c.id())).append("\"><h2>").append(esc(c.title()));
      out.append("</h2>\n<p>").append(esc(c.description())).append("</p>\n");
      if (!c.fields().isEmpty()) {
        out.append("<p class=\"meta\">People with this data: ");
        out.append(esc(String.valueOf(c.usersWithData())));
        out.append(" · ")
            .append(c.optional() ? "Only with your consent" : "Needed for the service");
        out.append(" · Kept: ").append(esc(c.retention())).append("</p>\n");
      }
      if (c.fields().isEmpty()) {
        out.append("<p>This version does not collect this kind of data.</p>\n");
      } else {
        out.append("<table><thead><tr><th>Field</th><th>What it is</th><th>Used for</th>")
            .append("<th>Encrypted</th><th>Kept</th></tr></thead><tbody>\n");
        for (Field f : c.fields()) {
          out.append("<tr><td>").append(esc(f.name())).append("</td><td>");
          out.append(esc(f.description())).append("</td><td>");
          out.append(esc(String.join(", ", f.purposes()))).append("</td><td>");
          out.append(f.encrypted() ? "yes" : "no").append("</td><td>");
          out.append(esc(f.retention())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
      }
      out.append("</section>\n");
    }
    out.append("<section id=\"purposes\"><h2>Why we use data</h2>\n<table><thead><tr>")
        .append("<th>Purpose</th><th>Legal basis</th><th>What for</th><th>Default</th>")
        .append("<th>Can be withdrawn</th></tr></thead><tbody>\n");
    for (PurposeView p : view.purposes()) {
      out.append("<tr><td>").append(esc(p.id())).append("</td><td>");
      out.append(esc(p.legalBasis())).append("</td><td>").append(esc(p.description()));
      out.append("</td><td>").append(p.defaultOn() ? "on" : "off").append("</td><td>");
      out.append(p.withdrawable() ? "yes" : "no").append("</td></tr>\n");
    }
    out.append("</tbody></table></section>\n</body></html>\n");
    return out.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
