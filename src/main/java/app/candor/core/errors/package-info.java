/**
 * Errors as the caller sees them: {@link app.candor.core.errors.CandorException} with a kind (400,
 * 401, 403, 404, 409, 413, 415, 429, 503) and, for invalid input, every bad field named.
 */
@NullMarked
package app.candor.core.errors;

import org.jspecify.annotations.NullMarked;
