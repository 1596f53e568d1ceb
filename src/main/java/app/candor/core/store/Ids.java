package app.candor.core.store;

import java.security.SecureRandom;
import java.util.Objects;

/** Row ids that cannot be guessed and still append to their primary-key index. */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /**
   * {@code prefix} and 32 hex digits laid out as a version 7 UUID (RFC 9562): the milliseconds
   * first, so new rows append to the primary-key index instead of rewriting a random page of it in
   * every group commit, then 74 random bits from a secure generator, so ids cannot be guessed.
   */
  public static String timeOrdered(String prefix, long nowMillis) {
    Objects.requireNonNull(prefix, "prefix");
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long high = (nowMillis << 16) | 0x7000L | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
    long low = 0;
    for (int i = 2; i < 10; i++) {
      low |= (random[i] & 0xFFL) << (8 * (9 - i));
    }
    low = (low & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return prefix + String.format("%016x%016x", high, low);
  }
}
