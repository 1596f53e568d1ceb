@NullMarked
package app.candor.personal;

import org.jspecify.annotations.NullMarked;
