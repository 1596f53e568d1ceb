/**
 * Storage: the database (HikariCP, Flyway, Jdbi) on embedded SQLite in WAL mode or PostgreSQL,
 * durable on commit, and {@link app.candor.core.store.GroupCommit}, the one way a domain turns many
 * small writes from concurrent requests into few durable transactions.
 */
@NullMarked
package app.candor.core.store;

import org.jspecify.annotations.NullMarked;
