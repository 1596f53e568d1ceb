@NullMarked
package app.candor.core.errors;

import org.jspecify.annotations.NullMarked;
