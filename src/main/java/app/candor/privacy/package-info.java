/**
 * Privacy requests and transparency, generated from the catalog and the domains' {@link
 * app.candor.privacy.SubjectData} providers: the report of everything held about a person, the ZIP
 * export, erasure (crypto-shredding first, then rows), and the public page "What data does this app
 * collect?". Adding a domain adds it here by registering its provider; nothing here changes.
 */
@NullMarked
package app.candor.privacy;

import org.jspecify.annotations.NullMarked;
