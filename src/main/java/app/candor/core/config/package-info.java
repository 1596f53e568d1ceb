@NullMarked
package app.candor.core.config;

import org.jspecify.annotations.NullMarked;
