package app.candor.core.access;

/** Answers whether a person exists; implemented by the personal domain, wired at the root. */
@FunctionalInterface
public interface SubjectDirectory {
  boolean exists(String subjectId);
}
