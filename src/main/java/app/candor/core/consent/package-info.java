/**
 * The consent ledger: each person's current choice per purpose, with every change and who relayed
 * it. Optional purposes start off; a withdrawal counts for the very next read, on every node,
 * because the gate reads the ledger.
 */
@NullMarked
package app.candor.core.consent;

import org.jspecify.annotations.NullMarked;
