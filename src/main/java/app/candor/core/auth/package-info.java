@NullMarked
package app.candor.core.auth;

import org.jspecify.annotations.NullMarked;
