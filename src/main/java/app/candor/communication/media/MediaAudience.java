package app.candor.communication.media;

/**
 * Who besides the uploader may download a shared file: the members of a conversation it was sent
 * in. The media package knows nothing of conversations; the composition root hands {@link
 * MediaService} the messages module's answer to this question. Until that module is wired, {@link
 * #uploaderOnly()} says no to everyone, and only the uploader can download.
 */
@FunctionalInterface
public interface MediaAudience {

  /**
   * Whether {@code userId}, who did not upload the file {@code mediaId}, may download it. Called
   * only for files that exist; it must answer from the database (not one node's memory), so that
   * every node agrees, and say no for anyone it does not know.
   */
  boolean mayDownload(String mediaId, String userId);

  /** Nobody besides the uploader. */
  static MediaAudience uploaderOnly() {
    return (mediaId, userId) -> false;
  }
}
