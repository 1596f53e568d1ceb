package app.candor.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.candor.core.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {

  @TempDir Path dir;

  @Test
  void the_key_file_is_created_readable_by_its_owner_only() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("keys").resolve("master.key");

    MasterKey key = MasterKey.loadOrCreate(file);

    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    key.addPrimary();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as("after a rotation step")
        .isEqualTo("rw-------");
  }

  @Test
  void the_same_file_loads_the_same_key() throws Exception {
    Path file = dir.resolve("master.key");
    byte[] ad = "ad".getBytes(StandardCharsets.UTF_8);
    byte[] ct = MasterKey.loadOrCreate(file).aead().encrypt("wrapped".getBytes(), ad);

    MasterKey again = MasterKey.loadOrCreate(file);

    assertThat(new String(again.aead().decrypt(ct, ad), StandardCharsets.UTF_8))
        .isEqualTo("wrapped");
    assertThat(again.keyCount()).isEqualTo(1);
  }

  @Test
  void two_installations_have_different_keys() throws Exception {
    byte[] ad = new byte[0];
    byte[] ct = MasterKey.loadOrCreate(dir.resolve("a.key")).aead().encrypt(new byte[] {1}, ad);
    MasterKey other = MasterKey.loadOrCreate(dir.resolve("b.key"));
    assertThatThrownBy(() -> other.aead().decrypt(ct, ad))
        .isInstanceOf(java.security.GeneralSecurityException.class);
  }

  @Test
  void a_file_that_is_not_a_keyset_is_refused_with_its_name() throws Exception {
    Path file = dir.resolve("master.key");
    Files.writeString(file, "not a keyset");
    assertThatThrownBy(() -> MasterKey.loadOrCreate(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void a_rotation_keeps_old_ciphertexts_readable_until_the_old_keys_are_dropped() throws Exception {
    Path file = dir.resolve("master.key");
    MasterKey key = MasterKey.loadOrCreate(file);
    byte[] ad = new byte[0];
    byte[] old = key.aead().encrypt(new byte[] {7}, ad);

    key.addPrimary();
    assertThat(key.keyCount()).isEqualTo(2);
    assertThat(key.aead().decrypt(old, ad)).containsExactly(7);
    assertThat(MasterKey.loadOrCreate(file).aead().decrypt(old, ad)).containsExactly(7);

    key.dropOldKeys();
    assertThat(key.keyCount()).isEqualTo(1);
    assertThatThrownBy(() -> MasterKey.loadOrCreate(file).aead().decrypt(old, ad))
        .isInstanceOf(java.security.GeneralSecurityException.class);
  }
}
