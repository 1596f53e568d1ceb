/**
 * The catalog, the single source of truth: every field stored about a person, declared once with
 * its category, description, purposes, sensitivity, retention and whether it is encrypted. No
 * entry, no storage ({@code CatalogSchemaTest} checks the schema against it).
 */
@NullMarked
package app.candor.core.catalog;

import org.jspecify.annotations.NullMarked;
