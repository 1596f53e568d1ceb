package app.candor.core.catalog;

import java.util.Objects;
import java.util.Set;

/**
 * One kind of data held about a person, declared once.
 *
 * @param id stable identifier, {@code category.name} (e.g. {@code personal.phone})
 * @param category where it appears in reports and exports
 * @param description plain words, shown to the person
 * @param purposes the purposes that may read it
 * @param sensitivity how harmful a leak would be
 * @param retention how long it is kept, in plain words
 * @param encrypted whether it is encrypted at rest with the person's key
 * @param columns the {@code table.column}s that store it
 */
public record FieldSpec(
    String id,
    Category category,
    String description,
    Set<Purpose> purposes,
    Sensitivity sensitivity,
    String retention,
    boolean encrypted,
    Set<String> columns) {

  public FieldSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(description, "description");
    purposes = Set.copyOf(purposes);
    Objects.requireNonNull(sensitivity, "sensitivity");
    Objects.requireNonNull(retention, "retention");
    columns = Set.copyOf(columns);
    if (!id.startsWith(category.id() + ".")) {
      throw new IllegalArgumentException(id + " must start with " + category.id() + ".");
    }
  }

  /** The name within the category, as it appears in API bodies ({@code phone}). */
  public String name() {
    return id.substring(category.id().length() + 1);
  }

  public boolean readableFor(Purpose purpose) {
    return purposes.contains(purpose);
  }
}
