package app.candor.core.errors;

import java.util.List;
import java.util.Objects;

/**
 * The one unchecked exception family for failures a caller can act on. The edge turns each into an
 * RFC 9457 problem; the {@link Kind} decides the status, so domain code never speaks HTTP.
 */
public class CandorException extends RuntimeException {

  /** What went wrong, from the caller's point of view. */
  public enum Kind {
    INVALID(400, "invalid-request", "Invalid request"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
    INSUFFICIENT_FUNDS(402, "insufficient-funds", "Insufficient funds"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    NOT_FOUND(404, "not-found", "Not found"),
    CONFLICT(409, "conflict", "Conflict"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    UNPROCESSABLE(422, "unprocessable", "Unprocessable request"),
    TOO_MANY_REQUESTS(429, "too-many-requests", "Too many requests"),
    UNAVAILABLE(503, "unavailable", "Service unavailable");

    private final int status;
    private final String slug;
    private final String title;

    Kind(int status, String slug, String title) {
      this.status = status;
      this.slug = slug;
      this.title = title;
    }

    public int status() {
      return status;
    }

    public String slug() {
      return slug;
    }

    public String title() {
      return title;
    }
  }

  /** One invalid field: a JSON pointer-ish name and what is wrong with it. */
  public record FieldError(String field, String message) {
    public FieldError {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(message, "message");
    }
  }

  private final Kind kind;
  private final List<FieldError> errors;

  public CandorException(Kind kind, String detail) {
    this(kind, detail, List.of());
  }

  public CandorException(Kind kind, String detail, List<FieldError> errors) {
    super(Objects.requireNonNull(detail, "detail"));
    this.kind = Objects.requireNonNull(kind, "kind");
    this.errors = List.copyOf(errors);
  }

  public Kind kind() {
    return kind;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public static CandorException invalid(List<FieldError> errors) {
    String fields = String.join(", ", errors.stream().map(FieldError::field).distinct().toList());
    return new CandorException(Kind.INVALID, "Invalid fields: " + fields, errors);
  }

  public static CandorException invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  public static CandorException notFound(String what) {
    return new CandorException(Kind.NOT_FOUND, what + " not found");
  }

  public static CandorException forbidden(String detail) {
    return new CandorException(Kind.FORBIDDEN, detail);
  }

  public static CandorException conflict(String detail) {
    return new CandorException(Kind.CONFLICT, detail);
  }

  public static CandorException unauthenticated(String detail) {
    return new CandorException(Kind.UNAUTHENTICATED, detail);
  }

  public static CandorException tooManyRequests(String detail) {
    return new CandorException(Kind.TOO_MANY_REQUESTS, detail);
  }

  public static CandorException insufficientFunds(String detail) {
    return new CandorException(Kind.INSUFFICIENT_FUNDS, detail);
  }

  public static CandorException unprocessable(String detail) {
    return new CandorException(Kind.UNPROCESSABLE, detail);
  }
}
