/**
 * Media shared in conversations: photos, voice notes, videos and files, uploaded as a stream and
 * stored in a {@link app.candor.communication.media.BlobStore} encrypted while they stream (Tink
 * streaming AEAD, a fresh key per file, that key kept in the {@code media} row encrypted with the
 * uploader's own key), so memory stays constant whatever the size and erasing the uploader shreds
 * every file they shared. Downloads are for the uploader and, through a {@link
 * app.candor.communication.media.MediaAudience}, the members of a conversation the file was sent
 * in; each goes through the purpose gate and into the uploader's access log.
 */
@NullMarked
package app.candor.communication.media;

import org.jspecify.annotations.NullMarked;
