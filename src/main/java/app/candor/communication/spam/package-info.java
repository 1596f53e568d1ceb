/**
 * The text spam classifier of the communication domain: {@link SpamClassifier} judges one chat
 * message's text and answers a {@link Verdict} ({@code ham}, {@code suspicious} or {@code spam}, a
 * score from 0 to 100 and the {@link Reason}s that raised it, never quoting the text). It is pure
 * Java, in process, thread-safe, with no database and no HTTP; the conversation service calls it
 * and adds its behavioural signals on top.
 *
 * <p>The model is a logistic regression over hashed word unigrams and bigrams plus a few counted
 * signals (links, capitals, exclamation marks, currency signs), trained by {@code ./candor spam
 * train} ({@link SpamTrainer}) on the training split of the SpamAssassin public corpus ({@link
 * SpamCorpus}), using only each mail's body as a chat would carry it ({@link MailBody}). The model
 * file ships in the jar ({@value SpamModel#RESOURCE}) and is loaded once at start.
 */
@NullMarked
package app.candor.communication.spam;

import org.jspecify.annotations.NullMarked;
