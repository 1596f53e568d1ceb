package app.candor.core.catalog;

/** How much harm a leak of the field would do; drives encryption and masking. */
public enum Sensitivity {
  LOW,
  MEDIUM,
  HIGH
}
