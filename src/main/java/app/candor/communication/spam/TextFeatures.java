package app.candor.communication.spam;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Turns a text into the model's features, in one pass over at most its first {@value #MAX_CHARS}
 * characters (a chat message longer than that is judged by its beginning, which keeps the cost of
 * any text bounded).
 *
 * <p>Words are runs of letters and digits, lower-cased, with every digit read as {@code 0} (so
 * prices, dates and phone numbers generalize). Each word and each pair of neighbouring words is
 * hashed (FNV-1a, then MurmurHash3's finalizer) into one of {@value #SIZE} buckets: no vocabulary
 * to store, and unseen words cost nothing. Collisions are rare at this size and the model learns
 * around them. Next to the words, a few counted signals (links, capitals, repeated exclamation
 * marks, currency signs) become indicator features with buckets of their own ({@link Signal}). A
 * text's length and a single exclamation mark are deliberately not signals: in the mail corpus
 * short bodies and "!" lean to spam, in a chat they are ordinary.
 */
final class TextFeatures {

  static final int BITS = 20;
  static final int SIZE = 1 << BITS;
  static final int MASK = SIZE - 1;
  static final int MAX_CHARS = 4_000;

  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;
  private static final int HTTP = wordHash("http");
  private static final int HTTPS = wordHash("https");
  private static final int WWW = wordHash("www");

  /** A counted signal's indicator: on when the count reaches {@code atLeast}. */
  enum Signal {
    LINKS_1("links", 1),
    LINKS_3("links", 3),
    LINKS_10("links", 10),
    SHOUTING_30("shouting", 30),
    SHOUTING_50("shouting", 50),
    SHOUTING_75("shouting", 75),
    EXCLAMATIONS_3("exclamations", 3),
    EXCLAMATIONS_10("exclamations", 10),
    MONEY_1("money", 1),
    MONEY_3("money", 3);

    final String code;
    final int atLeast;
    final int bucket;

    Signal(String code, int atLeast) {
      this.code = code;
      this.atLeast = atLeast;
      this.bucket = wordHash("\u0000" + name()) & MASK;
    }
  }

  private static final Signal[] SIGNALS = Signal.values();

  /** Character classes of ASCII: 0 separates words, then digit, lower-case, upper-case. */
  private static final byte[] ASCII = new byte[128];

  private static final byte DIGIT = 1;
  private static final byte LOWER = 2;
  private static final byte UPPER = 3;

  static {
    for (char c = '0'; c <= '9'; c++) {
      ASCII[c] = DIGIT;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      ASCII[c] = LOWER;
      ASCII[c - 'a' + 'A'] = UPPER;
    }
  }

  /**
   * The counts of one text: {@code wordCount} word and word-pair features were given to the sink
   * (one per occurrence); the other counts feed the signals. Shouting needs 20 letters to count.
   */
  record Extracted(
      int wordCount, int chars, int letters, int capitals, int links, int exclamations, int money) {

    /** The weight of each word feature: occurrences share a unit of length. */
    double wordScale() {
      return wordCount == 0 ? 0 : 1 / Math.sqrt(wordCount);
    }

    /** The percentage of letters that are capitals, 0 under 20 letters. */
    int shoutingPercent() {
      return letters < 20 ? 0 : (int) (100L * capitals / letters);
    }

    int count(String code) {
      return switch (code) {
        case "links" -> links;
        case "shouting" -> shoutingPercent();
        case "exclamations" -> exclamations;
        case "money" -> money;
        default -> throw new IllegalArgumentException(code);
      };
    }

    /** The signals that are on. */
    List<Signal> signals() {
      List<Signal> on = new ArrayList<>(4);
      for (Signal s : SIGNALS) {
        if (count(s.code) >= s.atLeast) {
          on.add(s);
        }
      }
      return on;
    }
  }

  private TextFeatures() {}

  /**
   * Reads a text, giving each word and word-pair feature's bucket to {@code words} in order, and
   * returns the counts. The sink sees buckets only, never characters.
   */
  static Extracted scan(String text, IntConsumer words) {
    int end = Math.min(text.length(), MAX_CHARS);
    int n = 0;
    int h = FNV_OFFSET;
    int length = 0;
    int previous = 0;
    int letters = 0;
    int capitals = 0;
    int links = 0;
    int exclamations = 0;
    int money = 0;
    for (int i = 0; i <= end; i++) {
      char c = i < end ? text.charAt(i) : ' ';
      int kind = c < 128 ? ASCII[c] : other(c);
      if (kind != 0) {
        char k;
        if (kind == DIGIT) {
          k = '0';
        } else {
          letters++;
          if (kind == UPPER) {
            capitals++;
          }
          k = c < 128 ? (char) (c | 0x20) : Character.toLowerCase(c);
        }
        h = (h ^ k) * FNV_PRIME;
        length++;
        continue;
      }
      if (length > 0) {
        int word = fmix(h);
        if (word == HTTP
            || word == HTTPS
            || (word == WWW && previous != HTTP && previous != HTTPS)) {
          links++;
        }
        words.accept(word & MASK);
        n++;
        if (previous != 0) {
          words.accept(fmix(previous * 0x9E3779B1 + word) & MASK);
          n++;
        }
        previous = word;
        h = FNV_OFFSET;
        length = 0;
      }
      if (c == '!') {
        exclamations++;
      } else if (c == '$' || c == '\u20ac' || c == '\u00a3') {
        money++;
      }
    }
    return new Extracted(n, end, letters, capitals, links, exclamations, money);
  }

  /** The class of a character beyond ASCII. */
  private static int other(char c) {
    if (Character.isDigit(c)) {
      return DIGIT;
    }
    if (!Character.isLetter(c)) {
      return 0;
    }
    return Character.isUpperCase(c) ? UPPER : LOWER;
  }

  static int wordHash(String word) {
    int h = FNV_OFFSET;
    for (int i = 0; i < word.length(); i++) {
      h = (h ^ word.charAt(i)) * FNV_PRIME;
    }
    return fmix(h);
  }

  /** MurmurHash3's 32-bit finalizer: spreads FNV's low bits over the bucket index. */
  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
