/**
 * The one JSON mapper (Jackson) every edge and domain uses, and the translation of its parse errors
 * into problems that name what is wrong.
 */
@NullMarked
package app.candor.core.json;

import org.jspecify.annotations.NullMarked;
