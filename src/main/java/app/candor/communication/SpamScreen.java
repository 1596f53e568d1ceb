package app.candor.communication;

import java.util.List;
import java.util.Objects;

/**
 * Judges a message's text: ham, suspicious or spam, with a score and reasons in words that never
 * quote the text. Messages judged spam are stored but held back from the other members.
 */
@FunctionalInterface
public interface SpamScreen {

  Screened screen(String text);

  /** A verdict: {@code ham}, {@code suspicious} or {@code spam}; a score from 0 to 100. */
  record Screened(String verdict, int score, List<Reason> reasons) {
    public Screened {
      Objects.requireNonNull(verdict, "verdict");
      reasons = List.copyOf(reasons);
    }

    public boolean spam() {
      return verdict.equals("spam");
    }
  }

  /** Why: a code and a short detail, never the text itself. */
  record Reason(String code, String detail) {}
}
