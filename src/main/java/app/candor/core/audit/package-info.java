@NullMarked
package app.candor.core.audit;

import org.jspecify.annotations.NullMarked;
