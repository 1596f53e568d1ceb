package app.candor.core.catalog;

import java.util.Arrays;
import java.util.Optional;

/** The six kinds of data Candor holds about people. */
public enum Category {
  PERSONAL(
      "personal",
      "Personal information",
      "Name, phone, email (account creation and verification); birth date, gender, occupation"
          + " (personalized content and recommendations)."),
  USAGE(
      "usage",
      "Usage data",
      "App sessions, features used, frequency, device and app version: to improve the service and"
          + " understand usage trends."),
  LOCATION(
      "location",
      "Location",
      "Position updates and location history: people nearby, nearby places, location-based"
          + " offers. You can switch it off."),
  PAYMENT(
      "payment",
      "Payment information",
      "Bank accounts, cards, wallet balance, transaction history: secure transactions and fraud"
          + " prevention. Always encrypted."),
  COMMUNICATION(
      "communication",
      "Communication",
      "Messages, calls, shared media and files, contacts: delivering them, fighting spam and"
          + " fraud, volume trends."),
  MARKETING(
      "marketing",
      "Marketing",
      "Ads viewed, clicked or interacted with, and campaigns: targeted and non-targeted ads, ad"
          + " performance.");

  private final String id;
  private final String title;
  private final String description;

  Category(String id, String title, String description) {
    this.id = id;
    this.title = title;
    this.description = description;
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }

  public static Optional<Category> byId(String id) {
    return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst();
  }
}
