package app.candor.core.auth;

import java.util.Objects;
import java.util.Optional;

/** Turns a bearer token into a {@link Caller}; a token that matches nothing is no caller at all. */
public final class Authenticator {
  private final AdminToken admin;
  private final ServiceRegistry services;
  private final UserTokens users;

  public Authenticator(AdminToken admin, ServiceRegistry services, UserTokens users) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.services = Objects.requireNonNull(services, "services");
    this.users = Objects.requireNonNull(users, "users");
  }

  /** The caller holding {@code token}, or empty when the token is unknown or expired. */
  public Optional<Caller> authenticate(String token) {
    if (token.isEmpty() || token.length() > 200) {
      return Optional.empty();
    }
    if (admin.matches(token)) {
      return Optional.of(new Caller.Admin());
    }
    Optional<Caller> service = services.authenticate(token).map(s -> s);
    if (service.isPresent()) {
      return service;
    }
    return users.authenticate(token).map(u -> u);
  }
}
