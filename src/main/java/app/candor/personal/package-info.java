/**
 * Personal information and sign-in: a person's name, phone, email, birth date, gender and
 * occupation, each encrypted with the person's key (phone and email also as blind indexes for
 * lookups), and sign-in by one-time code delivered by a {@link app.candor.personal.CodeSender}.
 */
@NullMarked
package app.candor.personal;

import org.jspecify.annotations.NullMarked;
