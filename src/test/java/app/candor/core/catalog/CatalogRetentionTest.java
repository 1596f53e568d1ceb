package app.candor.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The catalog states the retention periods it is given, in words, for every field they govern. */
class CatalogRetentionTest {

  @Test
  void usage_and_location_fields_state_the_periods_and_the_clean_up_interval_given() {
    Catalog catalog = Catalog.standard(new RetentionSettings(1, 45, Duration.ofMinutes(90)));
    for (FieldSpec f : catalog.fields(Category.USAGE)) {
      assertThat(f.retention())
          .as(f.id())
          .isEqualTo(
              "1 day after the day it happened, then deleted by the clean-up that runs every 90"
                  + " minutes; at once when you erase your account");
    }
    for (FieldSpec f : catalog.fields(Category.LOCATION)) {
      assertThat(f.retention())
          .as(f.id())
          .isEqualTo(
              "45 days, then deleted by the clean-up that runs every 90 minutes; at once when you"
                  + " withdraw location consent or erase your account");
    }
    assertThat(
            Catalog.standard(new RetentionSettings(400, 30, Duration.ofHours(6)))
                .require("usage.events")
                .retention())
        .startsWith("400 days after the day it happened")
        .contains("every 6 hours");
  }

  @Test
  void retention_settings_below_a_day_or_without_a_clean_up_are_refused() {
    assertThatThrownBy(() -> new RetentionSettings(0, 30, Duration.ofHours(6)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetentionSettings(395, 0, Duration.ofHours(6)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetentionSettings(395, 30, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
