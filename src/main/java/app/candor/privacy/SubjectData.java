package app.candor.privacy;

import app.candor.core.catalog.Category;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * What a domain contributes to privacy requests: it describes, exports and erases one person's data
 * for the catalog fields it owns. {@link PrivacyService} iterates the registered providers, so a
 * new domain appears in reports, exports, erasure and transparency without changes here.
 */
public interface SubjectData {

  /** The category all of this provider's fields belong to. */
  Category category();

  /** The catalog field ids this provider owns; each field has exactly one provider. */
  Set<String> fieldIds();

  /** What is held about the person, one item per field that holds something. */
  List<Held> describe(String subjectId);

  /** Tabular data for the export, one CSV file each. */
  List<Table> tables(String subjectId);

  /**
   * Other files for the export (GeoJSON, say), named {@code <category>-<name>}; none by default.
   */
  default List<Document> documents(String subjectId) {
    return List.of();
  }

  /**
   * Refuses the erasure (throwing, typically a 409 that says what to do first) when this domain
   * holds something that must be settled before the person can go, such as money in a wallet.
   * Called inside the erasure transaction before anything is deleted; nothing by default.
   */
  default void checkErasable(Handle handle, String subjectId) {}

  /** Deletes the person's rows inside the erasure transaction; returns how many records. */
  int erase(Handle handle, String subjectId);

  /**
   * How many people this provider holds data about, for the transparency page. Called at start and
   * once a minute in the background, never per request, so it may scan a table.
   */
  long subjectsWithData();

  /**
   * One held field: either a {@code value} (a single value or a small structure) or a {@code count}
   * of records, with when it was first and last collected.
   */
  record Held(
      String fieldId,
      @Nullable Object value,
      @Nullable Long count,
      Optional<Instant> firstCollected,
      Optional<Instant> lastCollected) {

    public static Held value(
        String fieldId, Object value, Optional<Instant> first, Optional<Instant> last) {
      return new Held(fieldId, value, null, first, last);
    }

    public static Held count(
        String fieldId, long count, Optional<Instant> first, Optional<Instant> last) {
      return new Held(fieldId, null, count, first, last);
    }

    @Override
    public String toString() {
      return "Held[" + fieldId + ", masked]";
    }
  }

  /** A file of the export: its name after the category's prefix, and its bytes. */
  record Document(String name, byte[] content) {}

  /** Rows for a CSV file named {@code <category>-<name>.csv}. */
  record Table(String fieldId, String name, List<String> header, List<List<String>> rows) {}
}
