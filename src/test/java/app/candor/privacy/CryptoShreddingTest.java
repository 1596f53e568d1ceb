package app.candor.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.auth.Caller;
import app.candor.core.config.Config;
import app.candor.core.crypto.FieldCipher;
import app.candor.testing.TestDatabases;
import com.google.crypto.tink.Aead;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Erasure deletes the person's key first: every ciphertext of theirs becomes noise. */
class CryptoShreddingTest {

  @TempDir Path dir;

  static Iterable<String> kinds() {
    return TestDatabases.kinds();
  }

  private static Map<String, Optional<String>> person(String n) {
    Map<String, Optional<String>> input = new LinkedHashMap<>();
    input.put("name", Optional.of("Shred Me " + n));
    input.put("phone", Optional.of("+491517700000" + n));
    input.put("email", Optional.of("shred" + n + "@example.org"));
    input.put("birthDate", Optional.of("1985-01-0" + n));
    return input;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void after_erasure_the_person_has_no_key_and_their_ciphertexts_cannot_be_decrypted(String kind) {
    Config config = TestDatabases.config(kind, dir);
    String erased;
    String kept;
    try (Candor candor = Candor.open(config)) {
      erased = candor.people().create(new Caller.Admin(), person("1")).id();
      kept = candor.people().create(new Caller.Admin(), person("2")).id();
      Aead before = candor.subjectKeys().find(erased).orElseThrow();
      String nameCt =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT name_ct FROM people WHERE subject_id = :s")
                          .bind("s", erased)
                          .mapTo(String.class)
                          .one());
      assertThat(FieldCipher.decrypt(before, erased, "name", nameCt)).isEqualTo("Shred Me 1");

      candor
          .privacy()
          .erase(candor.gate().change(new Caller.Admin(), erased, PrivacyService.ERASURE));

      assertThat(candor.subjectKeys().find(erased)).isEmpty();
      assertThat(candor.subjectKeys().exists(erased)).isFalse();
      assertThat(candor.people().find(erased)).isEmpty();
      assertThat(candor.people().findByAddress("email", "shred1@example.org")).isEmpty();
      assertThat(candor.people().find(kept)).isPresent();
    }
    try (Candor reopened = Candor.open(config)) {
      assertThat(reopened.subjectKeys().find(erased)).as("after a restart").isEmpty();
      assertThat(reopened.people().find(erased)).isEmpty();
      assertThat(reopened.people().find(kept).orElseThrow().name()).isEqualTo("Shred Me 2");
    }
  }
}
