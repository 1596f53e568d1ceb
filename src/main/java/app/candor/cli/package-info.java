/**
 * The command-line edge (picocli): {@code serve}, {@code demo}, {@code places import}, key and
 * token rotation, and the in-process benchmark. Commands open Candor through the composition root
 * and receive from it a record of the services each uses ({@link app.candor.CommandServices}), the
 * same services as the HTTP edge; nothing below this package knows picocli.
 */
@NullMarked
package app.candor.cli;

import org.jspecify.annotations.NullMarked;
