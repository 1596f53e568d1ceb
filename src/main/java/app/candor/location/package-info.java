/**
 * Location data: position updates (precise, encrypted with the person's key, or approximate, only
 * the ~1 km grid square), people nearby (distance bands between grid squares from an in-memory
 * index rebuilt from the database at start) and places nearby (a k-d tree of imported places).
 * Withdrawing {@code location} deletes every position at once; the retention purge deletes old
 * ones.
 */
@NullMarked
package app.candor.location;

import org.jspecify.annotations.NullMarked;
