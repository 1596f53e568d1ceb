@NullMarked
package app.candor.usage;

import org.jspecify.annotations.NullMarked;
