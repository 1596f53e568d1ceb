@NullMarked
package app.candor.core.catalog;

import org.jspecify.annotations.NullMarked;
