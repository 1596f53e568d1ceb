package app.candor.core.errors;

import app.candor.core.errors.CandorException.FieldError;
import java.util.ArrayList;
import java.util.List;

/** Collects every field error of a request, so one response names them all. */
public final class Validation {
  private final List<FieldError> errors;
  private final String prefix;

  public Validation() {
    this(new ArrayList<>(), "");
  }

  private Validation(List<FieldError> errors, String prefix) {
    this.errors = errors;
    this.prefix = prefix;
  }

  public Validation add(String field, String message) {
    errors.add(new FieldError(prefix + field, message));
    return this;
  }

  /**
   * A view that adds to the same errors with field names under {@code nested} ({@code card.} makes
   * {@code number} into {@code card.number}), for checking a nested object.
   */
  public Validation nested(String nested) {
    return new Validation(errors, prefix + nested);
  }

  /** The errors collected so far. */
  public List<FieldError> errors() {
    return List.copyOf(errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw CandorException.invalid(errors);
    }
  }
}
