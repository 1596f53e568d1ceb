@NullMarked
package app.candor.core.crypto;

import org.jspecify.annotations.NullMarked;
