package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.Candor;
import app.candor.core.auth.Caller;
import app.candor.core.config.Config;
import app.candor.personal.Person;
import app.candor.testing.TestDatabases;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MasterKeyRotationTest {

  @TempDir Path dir;

  static Iterable<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void a_rotation_keeps_everyone_readable_and_leaves_only_the_new_key(String kind)
      throws Exception {
    Config config = TestDatabases.config(kind, dir);
    Path keyFile = config.masterKeyFile();
    List<Person> people = new ArrayList<>();
    String oldKeyFile;
    String oldWrapped;
    int rewrapped;
    try (Candor candor = Candor.open(config)) {
      for (int i = 1; i <= 3; i++) {
        Map<String, Optional<String>> input = new LinkedHashMap<>();
        input.put("name", Optional.of("Rota " + i));
        input.put("phone", Optional.of("+4915166000" + i + "00"));
        input.put("email", Optional.of("rota" + i + "@example.org"));
        input.put("occupation", Optional.of("keeper " + i));
        people.add(candor.people().create(new Caller.Admin(), input));
      }
      oldKeyFile = Files.readString(keyFile);
      oldWrapped = wrapped(candor, people.get(0).id());
      // The old file opens the old wrapped key: the check below could fail.
      assertThat(unwraps(oldWrapped, aead(oldKeyFile), people.get(0).id())).isTrue();

      rewrapped = MasterKeyRotation.rotate(candor.keys());

      assertThat(candor.keys().masterKey().keyCount()).isEqualTo(1);
      for (Person p : people) {
        assertThat(candor.people().find(p.id())).contains(p);
      }
    }

    // Three people and the blind-index key.
    assertThat(rewrapped).isEqualTo(4);
    String newKeyFile = Files.readString(keyFile);
    KeysetHandle newKeyset =
        TinkJsonProtoKeysetFormat.parseKeyset(newKeyFile, InsecureSecretKeyAccess.get());
    KeysetHandle oldKeyset =
        TinkJsonProtoKeysetFormat.parseKeyset(oldKeyFile, InsecureSecretKeyAccess.get());
    assertThat(newKeyset.size()).as("keys in the key file").isEqualTo(1);
    assertThat(newKeyset.getPrimary().getId()).isNotEqualTo(oldKeyset.getPrimary().getId());

    assertThat(unwraps(oldWrapped, aead(newKeyFile), people.get(0).id()))
        .as("a key wrapped by the old master key, with the new key file alone")
        .isFalse();

    try (Candor reopened = Candor.open(config)) {
      String newWrapped = wrapped(reopened, people.get(0).id());
      assertThat(newWrapped).isNotEqualTo(oldWrapped);
      assertThat(unwraps(newWrapped, aead(oldKeyFile), people.get(0).id()))
          .as("the old key file no longer opens the re-wrapped key")
          .isFalse();
      for (Person p : people) {
        // A fresh process: keys are unwrapped from the database with the new master key.
        assertThat(reopened.people().find(p.id())).contains(p);
        assertThat(reopened.people().findByAddress("email", p.email().orElseThrow()))
            .as("the blind-index key was re-wrapped too")
            .contains(p.id());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void the_old_master_key_alone_opens_nothing_after_a_rotation(String kind) throws Exception {
    Config config = TestDatabases.config(kind, dir);
    String id;
    String oldKeyFile;
    try (Candor candor = Candor.open(config)) {
      Map<String, Optional<String>> input = new LinkedHashMap<>();
      input.put("name", Optional.of("Old Key"));
      input.put("phone", Optional.of("+4915166009900"));
      input.put("email", Optional.of("old.key@example.org"));
      id = candor.people().create(new Caller.Admin(), input).id();
      oldKeyFile = Files.readString(config.masterKeyFile());
      MasterKeyRotation.rotate(candor.keys());
    }
    Files.writeString(config.masterKeyFile(), oldKeyFile);
    assertThatThrownBy(() -> Candor.open(config).close())
        .hasMessageContaining("CANDOR_MASTER_KEY_FILE");
    assertThat(id).isNotBlank();
  }

  private static String wrapped(Candor candor, String id) {
    return candor
        .database()
        .withHandle(
            h ->
                h.createQuery("SELECT wrapped_keyset FROM subject_keys WHERE subject_id = :s")
                    .bind("s", id)
                    .mapTo(String.class)
                    .one());
  }

  private static Aead aead(String keyFileJson) throws GeneralSecurityException {
    return TinkJsonProtoKeysetFormat.parseKeyset(keyFileJson, InsecureSecretKeyAccess.get())
        .getPrimitive(RegistryConfiguration.get(), Aead.class);
  }

  private static boolean unwraps(String wrapped, Aead master, String subjectId) {
    try {
      TinkProtoKeysetFormat.parseEncryptedKeyset(
          Base64.getDecoder().decode(wrapped), master, subjectId.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
