package app.candor.core.catalog;

/** The lawful ground for a purpose. */
public enum LegalBasis {
  CONTRACT("contract"),
  LEGITIMATE_INTEREST("legitimate interest"),
  CONSENT("consent");

  private final String label;

  LegalBasis(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
