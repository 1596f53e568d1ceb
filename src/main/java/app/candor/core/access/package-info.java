@NullMarked
package app.candor.core.access;

import org.jspecify.annotations.NullMarked;
