/**
 * The one purpose gate. Each route states what it does with a person's data as an {@link
 * app.candor.core.access.Access}; the {@link app.candor.core.access.PurposeGate} checks the caller,
 * the purpose, the catalog's fields for it and the person's consent, hands domain readers a {@link
 * app.candor.core.access.Grant}, and writes the access log. Domain readers take a grant, not an id,
 * so a route cannot read a person's data around the gate.
 */
@NullMarked
package app.candor.core.access;

import org.jspecify.annotations.NullMarked;
