package app.candor.core.access;

import app.candor.core.catalog.Category;
import app.candor.core.catalog.Purpose;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a route does with one person's data, as the {@link PurposeGate} checks it: which fields (a
 * whole category, or named catalog fields), for which purpose (fixed by the route, or named by the
 * caller in {@code Candor-Purpose}), and which callers besides the person themself may ask.
 *
 * @param what the route's subject in words, for refusals ("people nearby")
 * @param category all of its fields, when {@code fieldIds} is empty
 * @param purpose the route's purpose; empty when the caller names it
 * @param fieldIds catalog field ids; empty means every field of {@code category}, or of the whole
 *     catalog without a category
 * @param services whether services may ask (for the purpose, which their key must hold)
 * @param operators whether and how operators may ask
 */
public record Access(
    String what,
    Optional<Category> category,
    Optional<Purpose> purpose,
    List<String> fieldIds,
    boolean services,
    Operators operators) {

  /** How operators (the admin token) may use an access. */
  public enum Operators {
    /** Not at all. */
    NO,
    /** For the access's purpose (or the one they name), with the person's consent, logged. */
    WITH_PURPOSE,
    /** As a privacy request on the person's behalf, logged as {@code privacy_request}. */
    PRIVACY_REQUEST
  }

  public Access {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(purpose, "purpose");
    fieldIds = List.copyOf(fieldIds);
    Objects.requireNonNull(operators, "operators");
  }

  /** A category read for the purpose the caller names; services and operators alike. */
  public static Access namedPurpose(String what, Category category) {
    return new Access(
        what, Optional.of(category), Optional.empty(), List.of(), true, Operators.WITH_PURPOSE);
  }

  /** Fields used for the route's own purpose: the person, and services holding the purpose. */
  public static Access forPurpose(String what, Purpose purpose, String... fieldIds) {
    return new Access(
        what, Optional.empty(), Optional.of(purpose), List.of(fieldIds), true, Operators.NO);
  }

  /** A privacy request (report, export, access log, erasure): the person, or an operator. */
  public static Access privacyRequest(String what, String... fieldIds) {
    return new Access(
        what,
        Optional.empty(),
        Optional.empty(),
        List.of(fieldIds),
        false,
        Operators.PRIVACY_REQUEST);
  }

  /** The same access, open to operators for its purpose too (consented, logged). */
  public Access withOperators() {
    return new Access(what, category, purpose, fieldIds, services, Operators.WITH_PURPOSE);
  }

  /** Why a kind of caller the access is not for is refused. */
  String refusal() {
    StringBuilder who = new StringBuilder("the person");
    if (services) {
      who.append(", services").append(purpose.map(p -> " with '" + p.id() + "'").orElse(""));
    }
    if (operators != Operators.NO) {
      who.append(", operators");
    }
    return what + " is for " + who;
  }
}
