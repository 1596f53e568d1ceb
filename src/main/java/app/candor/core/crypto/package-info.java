/**
 * Cryptography, all through Google Tink: the master key outside the database, one keyset per person
 * wrapped by it (deleting it is crypto-shredding), field encryption bound to the person and field,
 * and keyed blind indexes for lookups without plaintext. Nothing here is hand-rolled.
 */
@NullMarked
package app.candor.core.crypto;

import org.jspecify.annotations.NullMarked;
