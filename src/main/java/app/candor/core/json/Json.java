package app.candor.core.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one JSON mapper: ISO-8601 instants, Optional support, unknown properties refused. */
public final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .setSerializationInclusion(JsonInclude.Include.ALWAYS);

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The 400 for a request body that is not JSON, saying where it went wrong. */
  public static app.candor.core.errors.CandorException notJson(
      com.fasterxml.jackson.core.JsonProcessingException e) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return new app.candor.core.errors.CandorException(
        app.candor.core.errors.CandorException.Kind.INVALID, "the body is not valid JSON" + where);
  }
}
