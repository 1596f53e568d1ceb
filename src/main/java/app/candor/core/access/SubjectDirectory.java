package app.candor.core.access;

/**
 * Answers whether a person exists, for the gate: a person exists while their key does (erasure
 * deletes it first). The root wires it to the person keys ({@code SubjectKeys::exists}).
 */
@FunctionalInterface
public interface SubjectDirectory {
  boolean exists(String subjectId);
}
