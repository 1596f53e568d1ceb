@NullMarked
package app.candor.cli;

import org.jspecify.annotations.NullMarked;
