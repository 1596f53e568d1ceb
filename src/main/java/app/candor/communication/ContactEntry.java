package app.candor.communication;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of an uploaded address book as the client sent it, parsed at the edge: a phone, an
 * email or both, and the name the owner gave the contact. Checked and normalised by {@link
 * Contacts#replace}; never stored as it is.
 */
public record ContactEntry(Optional<String> phone, Optional<String> email, Optional<String> name) {
  public ContactEntry {
    Objects.requireNonNull(phone, "phone");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(name, "name");
  }

  @Override
  public String toString() {
    return "ContactEntry[masked]";
  }
}
