/**
 * Communication data: conversations and their members, messages (each one's text encrypted with its
 * author's key, ordered per conversation, stored once per retry id through the core's group
 * commit), members' reports, calls as metadata, the screening of messages for spam, and the
 * operators' queue of held and reported messages. Erasing a person shreds what they sent: the other
 * members then see "deleted: erased account".
 */
@NullMarked
package app.candor.communication;

import org.jspecify.annotations.NullMarked;
