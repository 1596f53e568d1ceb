package app.candor.communication;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How contacts reach people's addresses without holding one in the clear: the personal domain's
 * functions, wired by the composition root (a domain imports no other domain). Addresses are kinds
 * {@link #PHONE} and {@link #EMAIL}; everything that comes back is a keyed blind index or a person
 * id.
 *
 * @param index the blind index of a raw address of a kind, normalised as people's own are (phones
 *     E.164, emails lower-cased); empty when it is not a valid address of that kind
 * @param holders for a kind and some blind indexes, the people registered with them: index to id
 * @param own the blind indexes of a person's own phone and email, by kind
 */
public record ContactDirectory(
    BiFunction<String, String, Optional<String>> index,
    BiFunction<String, Collection<String>, Map<String, String>> holders,
    Function<String, Map<String, String>> own) {

  public static final String PHONE = "phone";
  public static final String EMAIL = "email";

  public ContactDirectory {
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(holders, "holders");
    Objects.requireNonNull(own, "own");
  }
}
