/**
 * The command-line edge (picocli): {@code serve}, {@code demo}, {@code places import}, key and
 * token rotation, and the in-process benchmark. Commands build Candor through the composition root
 * and call the same services as the HTTP edge; nothing below this package knows picocli.
 */
@NullMarked
package app.candor.cli;

import org.jspecify.annotations.NullMarked;
