package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
  @TempDir Path dir;

  @Test
  void demo_usage_is_stored_only_for_people_who_consented_to_analytics() {
    try (Candor candor = Candor.open(Config.forDataDir(dir))) {
      assertThat(DemoData.people(candor.demo(), 40, 7)).isEqualTo(40);
      assertThat(DemoData.people(candor.demo(), 40, 7)).as("a second run adds nobody").isZero();
      int events = DemoData.usage(candor.demo(), 14, 7);

      long stored =
          candor
              .database()
              .withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM usage_events").mapTo(Long.class).one());
      List<String> withUsage =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT DISTINCT subject_id FROM usage_events")
                          .mapTo(String.class)
                          .list());
      assertThat(events).isPositive();
      assertThat(stored).isEqualTo(events);
      assertThat(withUsage)
          .isNotEmpty()
          .allSatisfy(id -> assertThat(candor.consents().holds(id, Purpose.ANALYTICS)).isTrue());
      assertThat(candor.people().sampleIds(100))
          .filteredOn(id -> !candor.consents().holds(id, Purpose.ANALYTICS))
          .isNotEmpty()
          .noneMatch(withUsage::contains);
    }
  }

  @Test
  void demo_payments_go_through_the_ledger_and_it_adds_up() {
    try (Candor candor = Candor.open(Config.forDataDir(dir))) {
      DemoData.people(candor.demo(), 60, 7);
      int moved = DemoData.payments(candor.demo(), 7);
      long transfers =
          candor
              .database()
              .withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM transfers").mapTo(Long.class).one());
      assertThat(moved).isPositive();
      assertThat(transfers).isEqualTo(moved);
      assertThat(candor.payments().verify().ok()).isTrue();
    }
  }

  @Test
  void demo_messages_are_stored_encrypted_and_one_is_held_as_spam() {
    try (Candor candor = Candor.open(Config.forDataDir(dir))) {
      DemoData.people(candor.demo(), 40, 7);
      int sent = DemoData.messages(candor.demo(), 7);
      long rows =
          candor
              .database()
              .withHandle(
                  h -> h.createQuery("SELECT COUNT(*) FROM messages").mapTo(Long.class).one());
      long held =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery("SELECT COUNT(*) FROM messages WHERE held = 1")
                          .mapTo(Long.class)
                          .one());
      assertThat(sent).isGreaterThan(20);
      assertThat(rows).isEqualTo(sent);
      assertThat(held).isEqualTo(1);
      assertThat(candor.communication().queue().items(10)).hasSize(1);
    }
  }
}
