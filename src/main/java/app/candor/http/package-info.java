/**
 * The HTTP edge. Javalin routes, one class per route module, each registered with its {@link
 * app.candor.http.Op} so {@code /openapi.json} lists exactly what is served. Handlers stay thin:
 * they read the caller and the request into records, ask the {@link
 * app.candor.core.access.PurposeGate} for every read or change of a person's data, call the domain
 * services, and turn {@link app.candor.core.errors.CandorException} into {@code
 * application/problem+json}. Nothing below this package knows about HTTP.
 */
@NullMarked
package app.candor.http;

import org.jspecify.annotations.NullMarked;
