package app.candor.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventParserTest {

  /** What the JDK makes of a timestamp: the reference the fast path must agree with. */
  private static long reference(String s) {
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  @Test
  void timestamps_read_directly_agree_with_the_jdk() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      long millis = random.nextLong(-5_000_000_000_000L, 250_000_000_000_000L);
      String s = Instant.ofEpochMilli(millis).toString();
      assertThat(EventParser.instant(s)).as(s).isEqualTo(reference(s)).isEqualTo(millis);
    }
    for (String s :
        List.of(
            "2026-02-29T00:00:00Z",
            "2024-02-29T23:59:59.999Z",
            "2026-04-31T10:00:00Z",
            "2026-13-01T10:00:00Z",
            "2026-00-10T10:00:00Z",
            "2026-01-10T24:00:00Z",
            "2026-01-10T23:60:00Z",
            "2026-01-10T23:59:60Z",
            "2026-01-10T2a:00:00Z",
            "2026-01-10T10:00:00.1Z",
            "2026-01-10T10:00:00.123456Z",
            "2026-01-10T10:00:00+08:00",
            "2026-01-10T10:00:00.5-03:30",
            "2026-01-10 10:00:00Z",
            "2026-01-10T10:00:00",
            "+12026-01-10T10:00:00Z",
            "-0001-01-10T10:00:00Z",
            "2026-1-10T10:00:00.000Z",
            "2026-01-10T10:00:00.00aZ")) {
      assertThat(EventParser.instant(s)).as(s).isEqualTo(reference(s));
    }
  }
}
