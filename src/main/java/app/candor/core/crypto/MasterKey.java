package app.candor.core.crypto;

import app.candor.core.config.ConfigException;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PrfConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The key that wraps every other key. It lives in a file outside the database (mode 600), as a Tink
 * keyset: rotation adds a new primary key, re-wraps, then drops the old one, so a crash at any step
 * leaves every wrapped key readable.
 */
public final class MasterKey {

  static {
    try {
      AeadConfig.register();
      PrfConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Path file;
  private volatile KeysetHandle keyset;
  private volatile Aead aead;

  private MasterKey(Path file, KeysetHandle keyset) {
    this.file = file;
    use(keyset);
  }

  /** Loads the master key from {@code file}, generating it (mode 600) when absent. */
  public static MasterKey loadOrCreate(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      if (Files.exists(file)) {
        String json = Files.readString(file, StandardCharsets.UTF_8);
        return new MasterKey(
            file, TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
      }
      KeysetHandle fresh = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      write(file, fresh);
      return new MasterKey(file, fresh);
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          "the master key file " + file + " is not a valid Tink keyset: " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read or create the master key file " + file + ": " + e.getMessage());
    }
  }

  public Aead aead() {
    return aead;
  }

  public int keyCount() {
    return keyset.size();
  }

  /** Step one of a rotation: add a fresh key and make it the one that encrypts. */
  public void addPrimary() throws GeneralSecurityException, IOException {
    KeysetHandle rotated =
        KeysetHandle.newBuilder(keyset)
            .addEntry(
                KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId()
                    .makePrimary())
            .build();
    write(file, rotated);
    use(rotated);
  }

  /** Last step of a rotation, once nothing is wrapped by the old keys: forget them. */
  public void dropOldKeys() throws GeneralSecurityException, IOException {
    KeysetHandle.Builder builder = KeysetHandle.newBuilder(keyset);
    for (int i = builder.size() - 1; i >= 0; i--) {
      if (!builder.getAt(i).isPrimary()) {
        builder.deleteAt(i);
      }
    }
    KeysetHandle pruned = builder.build();
    write(file, pruned);
    use(pruned);
  }

  private void use(KeysetHandle handle) {
    try {
      this.keyset = handle;
      this.aead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("master keyset has no usable AEAD key", e);
    }
  }

  private static void write(Path file, KeysetHandle handle)
      throws GeneralSecurityException, IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".master", ".tmp");
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system; the directory's own protection applies.
    }
    Files.writeString(
        tmp,
        TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get()),
        StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
