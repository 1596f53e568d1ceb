package app.candor.core.catalog;

import static app.candor.core.catalog.Purpose.MESSAGING;
import static app.candor.core.catalog.Purpose.NEARBY_DISCOVERY;

import java.util.List;
import java.util.Set;

/** The communication category's contact list: the address book a person uploads. */
final class ContactFields {
  private ContactFields() {}

  static void add(List<FieldSpec> fields) {
    fields.add(
        new FieldSpec(
            "communication.contacts",
            Category.COMMUNICATION,
            "The address book you uploaded, so the app can show which of your contacts are on it"
                + " (and, if you chose it, which of them are nearby friends): for each entry the"
                + " name you gave it, encrypted with your key, and its phone and email kept only as"
                + " keyed one-way codes (blind indexes), never in the clear. The addresses cannot be"
                + " recovered from those codes, so your export lists each entry's name, which kinds"
                + " of address it had and whether it matches someone on the app. Also how many new"
                + " addresses you added today, for the daily limit that keeps anyone from using"
                + " the list to find out who is registered.",
            Set.of(MESSAGING, NEARBY_DISCOVERY),
            Sensitivity.HIGH,
            "Until you replace or delete the list, or erase your account; the daily count until"
                + " your next upload on a later day",
            true,
            Set.of(
                "contacts.entry_no",
                "contacts.phone_bidx",
                "contacts.email_bidx",
                "contacts.name_ct",
                "contacts.added_at",
                "contact_intake.day",
                "contact_intake.added")));
  }
}
