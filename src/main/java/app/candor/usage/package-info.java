/**
 * Usage data: app sessions, features used, frequency, device and app version. Events arrive in
 * batches ({@code POST /v1/events}), are checked and encrypted on the request thread, and are
 * written by one writer in group commits to an append-only log; rollups maintained at write time
 * answer analytics without scanning raw events. The package's {@link
 * app.candor.privacy.SubjectData} provider puts usage in the report, the export and erasure.
 */
@NullMarked
package app.candor.usage;

import org.jspecify.annotations.NullMarked;
