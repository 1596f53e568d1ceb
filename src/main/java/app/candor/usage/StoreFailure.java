package app.candor.usage;

import java.sql.SQLException;

/** A database failure on the hot path (plain JDBC), unchecked like Jdbi's own. */
final class StoreFailure extends RuntimeException {
  StoreFailure(SQLException cause) {
    super(cause);
  }
}
