@NullMarked
package app.candor.core.consent;

import org.jspecify.annotations.NullMarked;
