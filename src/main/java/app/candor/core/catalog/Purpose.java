package app.candor.core.catalog;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Why Candor may use data. Contract and legitimate-interest purposes are always on; consent
 * purposes are off until the person grants them (privacy by default).
 */
public enum Purpose {
  ACCOUNT("account", LegalBasis.CONTRACT, "Running your account: sign-in, verification, support."),
  MESSAGING("messaging", LegalBasis.CONTRACT, "Delivering your messages, calls and shared media."),
  PAYMENTS("payments", LegalBasis.CONTRACT, "Carrying out the payments you make (once you pay)."),
  SAFETY(
      "safety", LegalBasis.LEGITIMATE_INTEREST, "Fighting spam, fraud and abuse on the platform."),
  ANALYTICS("analytics", LegalBasis.CONSENT, "Aggregate usage trends to improve the service."),
  PERSONALIZATION(
      "personalization", LegalBasis.CONSENT, "Personalized content and recommendations."),
  LOCATION(
      "location",
      LegalBasis.CONSENT,
      "Using your location for nearby places and offers, precise or approximate."),
  NEARBY_DISCOVERY(
      "nearby_discovery",
      LegalBasis.CONSENT,
      "Being visible to people nearby (everyone), or only to your friends nearby (friends)."),
  PERSONALIZED_ADS(
      "personalized_ads",
      LegalBasis.CONSENT,
      "Ads chosen from your data; without it, ads stay non-personalized.");

  /** The levels a {@code location} consent can carry. */
  public static final List<String> LOCATION_LEVELS = List.of("precise", "approximate");

  /**
   * The levels a {@code nearby_discovery} consent can carry: visible to everyone nearby, or only to
   * friends (people who have each other's phone or email in their contact lists).
   */
  public static final List<String> NEARBY_LEVELS = List.of("everyone", "friends");

  private final String id;
  private final LegalBasis basis;
  private final String description;

  Purpose(String id, LegalBasis basis, String description) {
    this.id = id;
    this.basis = basis;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public LegalBasis basis() {
    return basis;
  }

  public String description() {
    return description;
  }

  /** On unless the person says otherwise: true for everything not based on consent. */
  public boolean defaultGranted() {
    return basis != LegalBasis.CONSENT;
  }

  /** Only consent can be withdrawn; contract purposes end with the account. */
  public boolean withdrawable() {
    return basis == LegalBasis.CONSENT;
  }

  public boolean hasLevels() {
    return this == LOCATION || this == NEARBY_DISCOVERY;
  }

  /** The levels a grant of this purpose may carry; empty for a purpose without levels. */
  public List<String> levels() {
    return switch (this) {
      case LOCATION -> LOCATION_LEVELS;
      case NEARBY_DISCOVERY -> NEARBY_LEVELS;
      default -> List.of();
    };
  }

  /**
   * The level of a grant that names none (and of one recorded before levels existed); empty when a
   * grant must name its level ({@code location}) or the purpose has none.
   */
  public Optional<String> defaultLevel() {
    return this == NEARBY_DISCOVERY ? Optional.of("everyone") : Optional.empty();
  }

  public static Optional<Purpose> byId(String id) {
    return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
  }

  public static String allIds() {
    return String.join(", ", Arrays.stream(values()).map(Purpose::id).toList());
  }
}
