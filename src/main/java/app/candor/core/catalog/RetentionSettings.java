package app.candor.core.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * The retention periods in force, as the configuration sets them, so that the catalog states the
 * periods the code applies rather than fixed texts.
 *
 * @param usageDays usage events, sessions and daily activity older than this are deleted
 * @param locationDays position updates older than this are deleted
 * @param cleanupEvery how often the clean-up that deletes them runs
 * @param paymentRecordYears settled transfers are kept this long (financial records)
 */
public record RetentionSettings(
    int usageDays, int locationDays, Duration cleanupEvery, int paymentRecordYears) {

  /** The settings with financial records kept five years, the default. */
  public RetentionSettings(int usageDays, int locationDays, Duration cleanupEvery) {
    this(usageDays, locationDays, cleanupEvery, 5);
  }

  public RetentionSettings {
    if (usageDays < 1 || locationDays < 1 || paymentRecordYears < 1) {
      throw new IllegalArgumentException("retention periods are at least one day");
    }
    Objects.requireNonNull(cleanupEvery, "cleanupEvery");
    if (cleanupEvery.isNegative() || cleanupEvery.isZero()) {
      throw new IllegalArgumentException("cleanupEvery must be positive");
    }
  }

  /** The interval in words: {@code 6 hours}, {@code 1 hour}, {@code 30 minutes}. */
  String cleanupInWords() {
    long minutes = cleanupEvery.toMinutes();
    if (minutes >= 60 && minutes % 60 == 0) {
      return plural(minutes / 60, "hour");
    }
    return plural(Math.max(1, minutes), "minute");
  }

  static String days(int days) {
    return plural(days, "day");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
