package app.candor.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubjectKeysTest {

  @TempDir Path dir;
  private Database db;
  private MasterKey master;

  @BeforeEach
  void open() {
    db = Database.sqlite(dir.resolve("candor.db"));
    master = MasterKey.loadOrCreate(dir.resolve("master.key"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private SubjectKeys keys() {
    return new SubjectKeys(db, master, Clock.systemUTC());
  }

  @Test
  void a_stored_key_decrypts_what_the_created_key_encrypted() {
    Aead created = db.inTransaction(h -> keys().create(h, "p1"));
    String ct = FieldCipher.encrypt(created, "p1", "name", "Ana");

    Aead loaded = keys().find("p1").orElseThrow();

    assertThat(FieldCipher.decrypt(loaded, "p1", "name", ct)).isEqualTo("Ana");
    assertThat(keys().exists("p1")).isTrue();
  }

  @Test
  void destroying_the_key_leaves_nothing_to_decrypt_with() {
    SubjectKeys keys = keys();
    db.useTransaction(h -> keys.create(h, "p1"));
    assertThat(keys.find("p1")).isPresent();

    boolean destroyed = db.inTransaction(h -> keys.destroy(h, "p1"));

    assertThat(destroyed).isTrue();
    assertThat(keys.find("p1")).isEmpty();
    assertThat(keys().find("p1")).as("a fresh instance, without cache").isEmpty();
    assertThat(keys.exists("p1")).isFalse();
    boolean again = db.inTransaction(h -> keys.destroy(h, "p1"));
    assertThat(again).isFalse();
  }

  @Test
  void a_wrapped_key_copied_to_another_person_does_not_unwrap() {
    db.useTransaction(h -> keys().create(h, "p1"));
    db.useTransaction(
        h ->
            h.execute(
                "INSERT INTO subject_keys (subject_id, wrapped_keyset, created_at)"
                    + " SELECT 'p2', wrapped_keyset, created_at FROM subject_keys"
                    + " WHERE subject_id = 'p1'"));

    assertThatThrownBy(() -> keys().find("p2")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void a_wrapped_key_does_not_unwrap_with_another_master_key() {
    db.useTransaction(h -> keys().create(h, "p1"));
    MasterKey other = MasterKey.loadOrCreate(dir.resolve("other.key"));

    assertThatThrownBy(() -> new SubjectKeys(db, other, Clock.systemUTC()).find("p1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CANDOR_MASTER_KEY_FILE");
  }
}
