package app.candor.core.crypto;

import app.candor.core.store.Database;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfSet;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Objects;

/**
 * Keyed hashes (HMAC-SHA256 through Tink's PRF) for exact-match lookups of encrypted values: find a
 * person by phone or email without storing either in the clear, and hash low-entropy secrets such
 * as one-time codes so a stolen database cannot brute-force them offline. The key lives in the
 * database wrapped by the master key. Each use names a domain, so the same input hashes differently
 * for different uses.
 */
public final class BlindIndex {

  private static final String KEY_NAME = "blind_index";
  private final PrfSet prf;

  private BlindIndex(PrfSet prf) {
    this.prf = prf;
  }

  /** Loads the installation's index key, creating it on first start. */
  public static BlindIndex loadOrCreate(Database db, MasterKey master) {
    Objects.requireNonNull(db, "db");
    byte[] ad = ("system:" + KEY_NAME).getBytes(StandardCharsets.UTF_8);
    try {
      String wrapped =
          db.inTransaction(
              h -> {
                var existing =
                    h.createQuery("SELECT wrapped FROM system_keys WHERE name = :n")
                        .bind("n", KEY_NAME)
                        .mapTo(String.class)
                        .findOne();
                if (existing.isPresent()) {
                  return existing.get();
                }
                KeysetHandle fresh =
                    KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF);
                String w =
                    Base64.getEncoder()
                        .encodeToString(
                            TinkProtoKeysetFormat.serializeEncryptedKeyset(
                                fresh, master.aead(), ad));
                h.createUpdate("INSERT INTO system_keys (name, wrapped) VALUES (:n, :w)")
                    .bind("n", KEY_NAME)
                    .bind("w", w)
                    .execute();
                return w;
              });
      KeysetHandle keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              Base64.getDecoder().decode(wrapped), master.aead(), ad);
      return new BlindIndex(keyset.getPrimitive(RegistryConfiguration.get(), PrfSet.class));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "the blind-index key cannot be read: is CANDOR_MASTER_KEY_FILE the right key?", e);
    }
  }

  /** The keyed hash of {@code value} for the use {@code domain}, URL-safe base64. */
  public String of(String domain, String value) {
    try {
      byte[] out = prf.computePrimary((domain + ":" + value).getBytes(StandardCharsets.UTF_8), 32);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("blind index failed", e);
    }
  }
}
