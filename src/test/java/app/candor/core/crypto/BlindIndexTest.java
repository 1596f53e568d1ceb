package app.candor.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlindIndexTest {

  @TempDir Path dir;

  private BlindIndex open(Path home) {
    MasterKey master = MasterKey.loadOrCreate(home.resolve("master.key"));
    try (Database db = Database.sqlite(home.resolve("candor.db"))) {
      return BlindIndex.loadOrCreate(db, master);
    }
  }

  @Test
  void the_same_input_gives_the_same_output_also_after_a_restart() {
    BlindIndex index = open(dir);
    String first = index.of("phone", "+4915199000001");
    assertThat(index.of("phone", "+4915199000001")).isEqualTo(first);
    assertThat(open(dir).of("phone", "+4915199000001")).isEqualTo(first);
  }

  @Test
  void a_different_domain_gives_a_different_output() {
    BlindIndex index = open(dir);
    assertThat(index.of("phone", "ana@example.org"))
        .isNotEqualTo(index.of("email", "ana@example.org"));
  }

  @Test
  void a_different_value_gives_a_different_output() {
    BlindIndex index = open(dir);
    assertThat(index.of("email", "ana@example.org"))
        .isNotEqualTo(index.of("email", "anna@example.org"));
  }

  @Test
  void the_output_is_keyed_per_installation_and_reveals_nothing_of_the_input() {
    String here = open(dir.resolve("a")).of("email", "ana@example.org");
    String there = open(dir.resolve("b")).of("email", "ana@example.org");
    assertThat(here).isNotEqualTo(there);
    assertThat(here).doesNotContain("ana").hasSize(43);
  }
}
