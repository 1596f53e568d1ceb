package app.candor.http;

import app.candor.communication.media.MediaService;
import app.candor.communication.media.MediaTypes;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Shared files: uploads streamed in as raw bytes (up to {@link MediaService#MAX_BYTES}, above the
 * edge's body limit for this one path, never read whole) and downloads streamed out.
 */
public record MediaRoutes(PurposeGate gate, MediaService media) implements HttpServer.Module {

  static final String OWNER_HEADER = "Candor-Owner";

  @Override
  public Map<String, Long> largeBodies() {
    return Map.of("/v1/media", MediaService.MAX_BYTES);
  }

  @Override
  public void register(Api api, Requests requests) {
    List<String> types = List.copyOf(MediaTypes.allowed());
    api.post(
        "/v1/media",
        Op.of("communication", "Upload a file to share in conversations, stored encrypted")
            .callers("service with messaging", "the person (their own files)")
            .header(OWNER_HEADER, "required: the id of the person sharing the file")
            .rawRequest(types)
            .ok(
                201,
                "stored, encrypted with a key of its own wrapped by the owner's key",
                Schemas.object(
                    List.of("id", "size", "contentType"),
                    "id",
                    Schemas.string("the file's id, for messages and downloads"),
                    "size",
                    Schemas.integer("bytes"),
                    "contentType",
                    Schemas.string("the type as stored, without parameters")))
            .error(400, "no or bad Candor-Owner or Content-Type header, or an empty body")
            .error(401, "no or bad token")
            .error(403, "the key lacks messaging")
            .error(404, "no such person (or not yours)")
            .error(413, "larger than " + MediaService.MAX_BYTES + " bytes (100 MiB); nothing kept")
            .error(415, "a content type not in the list; nothing kept"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          Validation v = new Validation();
          String owner = uuidHeader(ctx, OWNER_HEADER, v);
          String type = contentType(ctx, v);
          v.throwIfInvalid();
          String accepted =
              MediaTypes.accepted(type)
                  .orElseThrow(
                      () ->
                          new CandorException(
                              CandorException.Kind.UNSUPPORTED_MEDIA_TYPE,
                              "files of type "
                                  + type
                                  + " are not accepted; send one of "
                                  + String.join(", ", types),
                              List.of(
                                  new CandorException.FieldError(
                                      "Content-Type", "not an accepted type"))));
          Grant grant = gate.change(caller, owner, MediaService.ACCESS);
          long declared = ctx.contentLength();
          MediaService.Stored stored;
          try {
            stored =
                media.upload(
                    grant,
                    accepted,
                    declared < 0 ? OptionalLong.empty() : OptionalLong.of(declared),
                    // The raw stream: Javalin's body limit guards its whole-body reads only.
                    ctx.req().getInputStream());
          } catch (IOException e) {
            throw CandorException.invalid("body", "the upload could not be read");
          }
          gate.changed(grant);
          ctx.status(201).json(stored.json());
        });
    api.get(
        "/v1/media/{id}",
        Op.of("communication", "Download a shared file, decrypted, for someone who may see it")
            .callers("service with messaging", "the person (their own files)")
            .query(
                "userId",
                "required: who the file is for; its owner or a member of a conversation it was"
                    + " sent in")
            .rawResponse(types)
            .ok(200, "the file's bytes with their content type")
            .error(400, "no or bad userId")
            .error(401, "no or bad token")
            .error(403, "the key lacks messaging")
            .error(404, "no such file, or userId may not see it"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          Validation v = new Validation();
          String userId = uuid(ctx.queryParam("userId"), "userId", v);
          v.throwIfInvalid();
          MediaService.Found found = media.find(Requests.id(ctx, "media"), userId);
          MediaService.Download download =
              gate.read(
                  caller,
                  found.ownerId(),
                  Optional.empty(),
                  MediaService.ACCESS,
                  grant -> media.open(grant, found));
          ctx.disableCompression();
          ctx.status(200)
              .contentType(download.contentType())
              .header("Content-Length", Long.toString(download.size()))
              .header("X-Content-Type-Options", "nosniff")
              .header("Cache-Control", "private, no-store")
              .result(download.content());
        });
  }

  private static String contentType(Context ctx, Validation v) {
    String type = ctx.header("Content-Type");
    if (type == null || type.isBlank()) {
      v.add("Content-Type", "required: the file's type, e.g. image/jpeg");
      return "";
    }
    return type;
  }

  private static String uuidHeader(Context ctx, String name, Validation v) {
    return uuid(ctx.header(name), name, v);
  }

  /** A person's id as sent: a canonical UUID, or an error naming {@code field}. */
  private static String uuid(@Nullable String raw, String field, Validation v) {
    if (raw == null || raw.isBlank()) {
      v.add(field, "required: a person's id");
      return "";
    }
    String id = raw.trim().toLowerCase(Locale.ROOT);
    try {
      if (id.length() == 36 && UUID.fromString(id).toString().equals(id)) {
        return id;
      }
    } catch (IllegalArgumentException e) {
      // Falls through.
    }
    v.add(field, "must be a person's id (a UUID)");
    return "";
  }
}
