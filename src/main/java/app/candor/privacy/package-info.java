@NullMarked
package app.candor.privacy;

import org.jspecify.annotations.NullMarked;
