package app.candor.core.errors;

import app.candor.core.errors.CandorException.FieldError;
import java.util.ArrayList;
import java.util.List;

/** Collects every field error of a request, so one response names them all. */
public final class Validation {
  private final List<FieldError> errors = new ArrayList<>();

  public Validation add(String field, String message) {
    errors.add(new FieldError(field, message));
    return this;
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
