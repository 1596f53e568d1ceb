package app.candor.http;

import app.candor.core.errors.CandorException;
import io.javalin.http.Context;
import java.util.Optional;

/** The {@code limit} and {@code cursor} query parameters of paged lists. */
final class Paging {
  private Paging() {}

  static final int MAX_LIMIT = 100;

  /** {@code limit}: 1 to {@link #MAX_LIMIT}, {@code otherwise} when absent; else 400. */
  static int limit(Context ctx, int otherwise) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return otherwise;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // Falls through to the error.
    }
    throw CandorException.invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** {@code cursor}: a positive position from an earlier page; else 400. */
  static Optional<Long> cursor(Context ctx) {
    String raw = ctx.queryParam("cursor");
    if (raw == null) {
      return Optional.empty();
    }
    try {
      long cursor = Long.parseLong(raw);
      if (cursor > 0) {
        return Optional.of(cursor);
      }
    } catch (NumberFormatException e) {
      // Falls through to the error.
    }
    throw CandorException.invalid("cursor", "must be a nextCursor from an earlier page");
  }
}
