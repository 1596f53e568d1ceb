package app.candor.privacy;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.catalog.Catalog;
import app.candor.core.catalog.Category;
import app.candor.core.catalog.FieldSpec;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Privacy requests, generated from the catalog and the registered {@link SubjectData} providers:
 * the report of everything held about a person, the ZIP export, and erasure.
 */
public final class PrivacyService {

  /** One item of the report: the catalog's explanation next to what is actually held. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      String field,
      String description,
      List<String> purposes,
      String retention,
      boolean encrypted,
      @Nullable Object value,
      @Nullable Long count,
      @Nullable Instant firstCollected,
      @Nullable Instant lastCollected) {}

  /** One category of the report. */
  public record CategoryReport(String id, String title, List<Item> items) {}

  /** The whole report. */
  public record Report(String userId, Instant generatedAt, List<CategoryReport> categories) {}

  /** Proof of an erasure; holds no personal data. */
  public record Receipt(String userId, Instant erasedAt, Map<String, Integer> erased) {}

  /** The report and the export: the person, or an operator on their behalf. */
  public static final Access REPORT = Access.privacyRequest("privacy requests");

  /** Erasure: the person, or an operator on their behalf. */
  public static final Access ERASURE = Access.privacyRequest("erasure");

  /** The person's access log: the person, or an operator on their behalf. */
  public static final Access ACCESS_LOG =
      Access.privacyRequest("the access log", "personal.accessLog");

  private final Catalog catalog;
  private final List<SubjectData> providers;
  private final SubjectKeys keys;
  private final Database db;
  private final Clock clock;

  public PrivacyService(
      Catalog catalog, List<SubjectData> providers, SubjectKeys keys, Database db, Clock clock) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.providers = List.copyOf(providers);
    this.keys = Objects.requireNonNull(keys, "keys");
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public List<SubjectData> providers() {
    return providers;
  }

  /** Everything held about the granted person. */
  public Report report(Grant grant) {
    return build(grant);
  }

  private Report build(Grant grant) {
    String subjectId = grant.subjectId();
    Map<Category, List<Item>> items = new LinkedHashMap<>();
    for (Category c : Category.values()) {
      items.put(c, new ArrayList<>());
    }
    for (SubjectData provider : providers) {
      for (SubjectData.Held held : provider.describe(subjectId)) {
        FieldSpec spec = catalog.require(held.fieldId());
        if (!grant.reveal(spec.id())) {
          continue;
        }
        items
            .get(spec.category())
            .add(
                new Item(
                    spec.name(),
                    spec.description(),
                    spec.purposes().stream().map(Purpose::id).sorted().toList(),
                    spec.retention(),
                    spec.encrypted(),
                    held.value(),
                    held.count(),
                    held.firstCollected().orElse(null),
                    held.lastCollected().orElse(null)));
      }
    }
    List<CategoryReport> categories = new ArrayList<>();
    items.forEach((c, list) -> categories.add(new CategoryReport(c.id(), c.title(), list)));
    return new Report(subjectId, clock.instant(), categories);
  }

  /** The ZIP export: one JSON file per category, CSV for tabular data, and a README. */
  public byte[] export(Grant grant) {
    String subjectId = grant.subjectId();
    Report report = build(grant);
    Map<Category, List<SubjectData.Table>> tables = new HashMap<>();
    Map<Category, List<SubjectData.Document>> documents = new HashMap<>();
    for (SubjectData provider : providers) {
      tables
          .computeIfAbsent(provider.category(), c -> new ArrayList<>())
          .addAll(provider.tables(subjectId));
      documents
          .computeIfAbsent(provider.category(), c -> new ArrayList<>())
          .addAll(provider.documents(subjectId));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      List<String> files = new ArrayList<>();
      for (CategoryReport category : report.categories()) {
        Category c = Category.byId(category.id()).orElseThrow();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("category", c.id());
        json.put("title", c.title());
        json.put("description", c.description());
        json.put("userId", subjectId);
        json.put("generatedAt", report.generatedAt());
        json.put("items", category.items());
        String name = c.id() + ".json";
        put(
            zip,
            name,
            Json.mapper().writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(json));
        files.add(name);
        for (SubjectData.Table table : tables.getOrDefault(c, List.of())) {
          String csvName = c.id() + "-" + table.name() + ".csv";
          put(zip, csvName, csv(table));
          files.add(csvName);
          String jsonName = c.id() + "-" + table.name() + ".json";
          put(zip, jsonName, Json.mapper().writeValueAsBytes(records(table)));
          files.add(jsonName);
        }
        for (SubjectData.Document document : documents.getOrDefault(c, List.of())) {
          String documentName = c.id() + "-" + document.name();
          put(zip, documentName, document.content());
          files.add(documentName);
        }
      }
      put(zip, "README.txt", readme(report, files).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Erases the person: their key first (crypto-shredding every ciphertext), then every provider's
   * rows, all in one transaction; then the database drops the old pages. The receipt is kept, under
   * the {@linkplain #receiptDigest digest} of the id: nothing stored names the person.
   */
  public Receipt erase(Grant grant) {
    String subjectId = grant.subjectId();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Category c : Category.values()) {
      counts.put(c.id(), 0);
    }
    Instant now = clock.instant();
    db.useTransaction(
        h -> {
          for (SubjectData provider : providers) {
            provider.checkErasable(h, subjectId);
          }
          keys.destroy(h, subjectId);
          for (SubjectData provider : providers) {
            counts.merge(provider.category().id(), provider.erase(h, subjectId), Integer::sum);
          }
          try {
            h.createUpdate(
                    "INSERT INTO erasure_receipts (subject_sha256, erased_at, erased_counts)"
                        + " VALUES (:s, :t, :c)")
                .bind("s", receiptDigest(subjectId))
                .bind("t", now.toEpochMilli())
                .bind("c", Json.mapper().writeValueAsString(counts))
                .execute();
          } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
          }
        });
    // A read racing the erasure may have re-cached the key before the commit; forget it.
    keys.evict(subjectId);
    db.flushErasedPages();
    return new Receipt(subjectId, now, counts);
  }

  private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  /** The table as a JSON array of objects keyed by the header. */
  private static List<Map<String, String>> records(SubjectData.Table table) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> row : table.rows()) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < table.header().size(); i++) {
        m.put(table.header().get(i), row.get(i));
      }
      rows.add(m);
    }
    return rows;
  }

  private static byte[] csv(SubjectData.Table table) throws JsonProcessingException {
    CsvMapper mapper = new CsvMapper();
    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
    table.header().forEach(schema::addColumn);
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> row : table.rows()) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 0; i < table.header().size(); i++) {
        m.put(table.header().get(i), row.get(i));
      }
      rows.add(m);
    }
    return mapper.writer(schema.build()).writeValueAsBytes(rows);
  }

  private String readme(Report report, List<String> files) {
    StringBuilder out = new StringBuilder();
    out.append("YOUR DATA EXPORT\n================\n\n");
    out.append("Person: ").append(report.userId()).append('\n');
    out.append("Generated: ").append(report.generatedAt()).append("\n\n");
    out.append("This archive holds everything we keep about you, one file per kind of data.\n");
    out.append("A category with an empty item list means we hold nothing of that kind.\n\n");
    out.append("FILES\n-----\n");
    files.forEach(f -> out.append("  ").append(f).append('\n'));
    out.append("  README.txt (this file)\n\n");
    out.append("WHAT EACH FIELD IS, WHY WE HOLD IT, HOW LONG WE KEEP IT\n");
    out.append("-------------------------------------------------------\n");
    for (Category c : Category.values()) {
      out.append('\n').append(c.title()).append(" (").append(c.id()).append(".json)\n");
      out.append("  ").append(c.description()).append('\n');
      List<FieldSpec> fields = catalog.fields(c);
      if (fields.isEmpty()) {
        out.append("  We do not collect this kind of data yet.\n");
      }
      for (FieldSpec f : fields) {
        out.append("  - ").append(f.name()).append(": ").append(f.description()).append('\n');
        out.append("      Used for: ");
        out.append(String.join(", ", f.purposes().stream().map(this::explain).sorted().toList()));
        out.append('\n');
        out.append("      Kept: ").append(f.retention()).append('\n');
        out.append("      Encrypted at rest with a key of your own: ")
            .append(f.encrypted() ? "yes" : "no")
            .append('\n');
      }
    }
    out.append("\nEach item also says when the data was first and last collected.\n");
    out.append("In the CSV files, times are in UTC (ISO 8601).\n");
    return out.toString();
  }

  private String explain(Purpose p) {
    return p.id() + " (" + p.basis().label() + ": " + p.description() + ")";
  }

  /**
   * The key of a person's erasure receipt: the SHA-256 of their id, in hex. Whoever holds the id
   * (the person, a service) can find the receipt; the database no longer holds the id itself. Ids
   * are random UUIDs, so the digest cannot be reversed by trying them.
   */
  public static String receiptDigest(String subjectId) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(subjectId.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
