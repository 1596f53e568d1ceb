package app.candor.core.access;

/**
 * Answers whether a person exists, for the gate: a person exists while their key does (erasure
 * deletes it first). Implemented by {@link app.candor.core.crypto.SubjectKeys}, wired at the root.
 */
@FunctionalInterface
public interface SubjectDirectory {
  boolean exists(String subjectId);
}
