@NullMarked
package app.candor.testing;

import org.jspecify.annotations.NullMarked;
