@NullMarked
package app.candor.http;

import org.jspecify.annotations.NullMarked;
