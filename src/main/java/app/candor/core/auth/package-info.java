/**
 * Who is calling: the operator's admin token, services' API keys bound to purposes, and people's
 * sign-in tokens, all stored only as hashes and checked against the database, so a revoked key or
 * an ended session stops working on every node at once.
 */
@NullMarked
package app.candor.core.auth;

import org.jspecify.annotations.NullMarked;
