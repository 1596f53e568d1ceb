package app.candor.core.auth;

import app.candor.core.catalog.Purpose;
import java.util.Set;

/** Who is calling: nobody, an operator, one of the app's services, or a person. */
public sealed interface Caller {

  /** How the caller appears in access logs and consent sources; never a secret. */
  String label();

  record Anonymous() implements Caller {
    @Override
    public String label() {
      return "anonymous";
    }
  }

  record Admin() implements Caller {
    @Override
    public String label() {
      return "admin";
    }
  }

  record Service(String id, String name, Set<Purpose> purposes) implements Caller {
    public Service {
      purposes = Set.copyOf(purposes);
    }

    @Override
    public String label() {
      return "service:" + name;
    }

    public boolean may(Purpose purpose) {
      return purposes.contains(purpose);
    }
  }

  record User(String subjectId) implements Caller {
    @Override
    public String label() {
      return "user";
    }
  }
}
