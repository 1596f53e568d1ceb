package app.candor.core.catalog;

import static app.candor.core.catalog.Purpose.MESSAGING;
import static app.candor.core.catalog.Purpose.SAFETY;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The communication category's media: the files a person shares in conversations. */
final class MediaFields {
  private MediaFields() {}

  static void add(List<FieldSpec> fields) {
    fields.add(
        new FieldSpec(
            "communication.media",
            Category.COMMUNICATION,
            "The photos, voice notes, videos and files you shared in conversations: each file is"
                + " encrypted while it is stored, with a key of its own that is itself encrypted"
                + " with your key, and its type too; its size and when you sent it are kept as"
                + " they are. Only you and the members of a conversation it was sent in can"
                + " download it.",
            Set.of(MESSAGING, SAFETY),
            Sensitivity.HIGH,
            "Until you erase your account: erasing it deletes your key first, which leaves every"
                + " file you shared unreadable, then the files and their records",
            true,
            Set.of("media.content_type_ct", "media.size", "media.created_at")));
  }

  static void technical(Map<String, String> technical) {
    technical.put("media.id", "random id of a shared file, also the name of its encrypted blob");
    technical.put("media.wrapped_key", "the file's own key, encrypted with the person's key");
  }
}
