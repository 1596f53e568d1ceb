/**
 * Configuration: one immutable record read from {@code CANDOR_*} environment variables and
 * validated at start; a wrong setting fails fast with a message naming the variable. It prints and
 * logs with its secrets masked.
 */
@NullMarked
package app.candor.core.config;

import org.jspecify.annotations.NullMarked;
