/**
 * The access log: every read of a person's data by a service or an operator, written durably (in
 * group commits) before the answer that it records is sent, and readable by that person.
 */
@NullMarked
package app.candor.core.audit;

import org.jspecify.annotations.NullMarked;
