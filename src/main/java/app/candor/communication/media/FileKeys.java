package app.candor.communication.media;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Each file's own key: a Tink streaming AEAD keyset (AES-256-GCM with HKDF, 4 KiB segments), stored
 * encrypted with the uploader's key. The file id and the uploader's id are the associated data of
 * both the file and its wrapped key, so neither can be moved to another row or person.
 *
 * <p>4 KiB segments keep each stream's buffers to a few KiB, so many uploads and downloads at once
 * stay within a small heap; the price is 16 bytes of tag per segment (0.4 % of the size) against
 * 0.002 % for 1 MiB segments, whose buffers (about 2 MiB per stream) would run a 256 MiB heap out
 * with a hundred streams in flight.
 */
final class FileKeys {
  static {
    try {
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private FileKeys() {}

  /** A new key for a file: its primitive, and the keyset wrapped for the row. */
  record Fresh(StreamingAead aead, String wrapped) {}

  static Fresh fresh(Aead owner, String mediaId, String ownerId) {
    try {
      KeysetHandle keyset =
          KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB);
      byte[] wrapped =
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              keyset, owner, associatedData(mediaId, ownerId));
      return new Fresh(
          keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class),
          Base64.getEncoder().encodeToString(wrapped));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a key for a file", e);
    }
  }

  /** The file's key, unwrapped with the uploader's. */
  static StreamingAead unwrap(Aead owner, String mediaId, String ownerId, String wrapped) {
    try {
      KeysetHandle keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              Base64.getDecoder().decode(wrapped), owner, associatedData(mediaId, ownerId));
      return keyset.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a file's key cannot be unwrapped with its owner's key", e);
    }
  }

  static byte[] associatedData(String mediaId, String ownerId) {
    return ("media|" + mediaId + "|" + ownerId).getBytes(StandardCharsets.UTF_8);
  }
}
