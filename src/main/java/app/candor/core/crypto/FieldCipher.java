package app.candor.core.crypto;

import com.google.crypto.tink.Aead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Encrypts one field of one person. The person id and the field name are the associated data, so a
 * ciphertext copied to another row or another field fails to decrypt instead of lying.
 */
public final class FieldCipher {
  private FieldCipher() {}

  public static String encrypt(Aead aead, String subjectId, String field, String plaintext) {
    return encrypt(aead, subjectId, field, plaintext.getBytes(StandardCharsets.UTF_8));
  }

  /** The same, for text already encoded as UTF-8. */
  public static String encrypt(Aead aead, String subjectId, String field, byte[] utf8) {
    return Base64.getEncoder().encodeToString(encryptToBytes(aead, subjectId, field, utf8));
  }

  /** The ciphertext as bytes, for a binary column (a third smaller than base64 text). */
  public static byte[] encryptToBytes(Aead aead, String subjectId, String field, byte[] utf8) {
    try {
      return aead.encrypt(utf8, associatedData(subjectId, field));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed for field " + field, e);
    }
  }

  public static String decrypt(Aead aead, String subjectId, String field, String ciphertext) {
    return decrypt(aead, subjectId, field, Base64.getDecoder().decode(ciphertext));
  }

  /** Decrypts a ciphertext kept as bytes ({@link #encryptToBytes}). */
  public static String decrypt(Aead aead, String subjectId, String field, byte[] ciphertext) {
    try {
      byte[] pt = aead.decrypt(ciphertext, associatedData(subjectId, field));
      return new String(pt, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("decryption failed for field " + field, e);
    }
  }

  private static byte[] associatedData(String subjectId, String field) {
    return (subjectId + "|" + field).getBytes(StandardCharsets.UTF_8);
  }
}
