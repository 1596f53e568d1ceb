@NullMarked
package app.candor.location;

import org.jspecify.annotations.NullMarked;
