@NullMarked
package app.candor.core.json;

import org.jspecify.annotations.NullMarked;
