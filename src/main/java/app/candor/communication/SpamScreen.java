package app.candor.communication;

import app.candor.communication.spam.Verdict;

/**
 * Judges a message's text: ham, suspicious or spam, with a score and reasons in words that never
 * quote the text. Messages judged spam are stored but held back from the other members. The shipped
 * screen is {@link app.candor.communication.spam.SpamClassifier}.
 */
@FunctionalInterface
public interface SpamScreen {
  Verdict screen(String text);
}
