package app.candor.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FieldCipherTest {

  @BeforeAll
  static void register() throws GeneralSecurityException {
    AeadConfig.register();
  }

  private static Aead freshKey() throws GeneralSecurityException {
    return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
        .getPrimitive(RegistryConfiguration.get(), Aead.class);
  }

  @Test
  void a_ciphertext_decrypts_to_the_plaintext_for_the_same_person_and_field()
      throws GeneralSecurityException {
    Aead aead = freshKey();
    String ct = FieldCipher.encrypt(aead, "person-a", "phone", "+4915199000001");
    assertThat(ct).doesNotContain("4915199000001");
    assertThat(FieldCipher.decrypt(aead, "person-a", "phone", ct)).isEqualTo("+4915199000001");
  }

  @Test
  void the_same_value_encrypts_differently_each_time() throws GeneralSecurityException {
    Aead aead = freshKey();
    assertThat(FieldCipher.encrypt(aead, "person-a", "name", "Ana"))
        .isNotEqualTo(FieldCipher.encrypt(aead, "person-a", "name", "Ana"));
  }

  @Test
  void a_ciphertext_does_not_decrypt_under_another_person_id() throws GeneralSecurityException {
    Aead aead = freshKey();
    String ct = FieldCipher.encrypt(aead, "person-a", "email", "ana@example.org");
    assertThatThrownBy(() -> FieldCipher.decrypt(aead, "person-b", "email", ct))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageNotContaining("ana@example.org");
  }

  @Test
  void a_ciphertext_does_not_decrypt_under_another_field_name() throws GeneralSecurityException {
    Aead aead = freshKey();
    String ct = FieldCipher.encrypt(aead, "person-a", "email", "ana@example.org");
    assertThatThrownBy(() -> FieldCipher.decrypt(aead, "person-a", "phone", ct))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void the_associated_data_cannot_be_shifted_between_person_id_and_field()
      throws GeneralSecurityException {
    Aead aead = freshKey();
    String ct = FieldCipher.encrypt(aead, "a", "bc", "secret");
    assertThatThrownBy(() -> FieldCipher.decrypt(aead, "ab", "c", ct))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_ciphertext_does_not_decrypt_with_another_person_key() throws GeneralSecurityException {
    String ct = FieldCipher.encrypt(freshKey(), "person-a", "name", "Ana");
    Aead other = freshKey();
    assertThatThrownBy(() -> FieldCipher.decrypt(other, "person-a", "name", ct))
        .isInstanceOf(IllegalStateException.class);
  }
}
