@NullMarked
package app.candor.core.store;

import org.jspecify.annotations.NullMarked;
