package app.candor.communication.media;

import app.candor.core.access.Access;
import app.candor.core.access.Grant;
import app.candor.core.catalog.Purpose;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.StreamingAead;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared files: upload, download, erasure. An upload is read from the request as it arrives and
 * encrypted on its way into the {@link BlobStore} with a fresh key of its own ({@link FileKeys}),
 * never held whole in memory; the record is written only once the blob is complete and durable, and
 * only while the uploader exists. A download decrypts as it streams. Files are the uploader's data:
 * reads and writes go through the purpose gate under {@link #ACCESS} and land in the uploader's
 * access log.
 */
public final class MediaService {
  private static final Logger LOG = LoggerFactory.getLogger(MediaService.class);

  /** The largest file accepted: 100 MiB. */
  public static final long MAX_BYTES = 100L * 1024 * 1024;

  /** The catalog field of shared files. */
  public static final String FIELD = "communication.media";

  /** Storing or reading a person's shared files: the person, and services with messaging. */
  public static final Access ACCESS = Access.forPurpose("a shared file", Purpose.MESSAGING, FIELD);

  private static final int COPY_BUFFER = 65_536;

  private final Database db;
  private final SubjectKeys keys;
  private final BlobStore blobs;
  private final MediaAudience audience;
  private final Clock clock;

  public MediaService(
      Database db, SubjectKeys keys, BlobStore blobs, MediaAudience audience, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.audience = Objects.requireNonNull(audience, "audience");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A stored file as its uploader's service sees it. */
  public record Stored(String id, long size, String contentType, Instant createdAt) {
    public Map<String, Object> json() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", id);
      out.put("size", size);
      out.put("contentType", contentType);
      return out;
    }
  }

  /** A file someone may download, and whose it is (the gate's subject for the read). */
  public record Found(String id, String ownerId) {}

  /** What a download sends: the type, the size, and the decrypting stream (close it). */
  public record Download(String contentType, long size, InputStream content) {}

  /**
   * Stores {@code body} as a file of the grant's person. {@code contentType} must be one of {@link
   * MediaTypes#allowed()} (the edge checks); {@code declaredLength} is the request's Content-Length
   * when sent. Too large (declared, or found while reading): 413 and nothing stored; empty: 400.
   */
  public Stored upload(
      Grant grant, String contentType, OptionalLong declaredLength, InputStream body) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    if (!grant.reveal(FIELD)) {
      throw CandorException.forbidden("this change does not cover " + FIELD);
    }
    String type =
        MediaTypes.accepted(contentType)
            .orElseThrow(() -> new IllegalArgumentException("not an allowed type: " + contentType));
    if (declaredLength.isPresent() && declaredLength.getAsLong() > MAX_BYTES) {
      throw tooLarge(declaredLength.getAsLong());
    }
    if (declaredLength.isPresent() && declaredLength.getAsLong() == 0) {
      throw CandorException.invalid("body", "is empty: send the file's bytes");
    }
    String owner = grant.subjectId();
    Aead ownerKey = keys.find(owner).orElseThrow(() -> CandorException.notFound("person"));
    String id = UUID.randomUUID().toString();
    FileKeys.Fresh key = FileKeys.fresh(ownerKey, id, owner);
    byte[] ad = FileKeys.associatedData(id, owner);
    long[] size = {0};
    try {
      blobs.put(id, out -> size[0] = encrypt(key.aead(), ad, new ClientBody(body), out));
    } catch (TooLarge e) {
      throw tooLarge(0);
    } catch (ClientBody.Unreadable e) {
      throw CandorException.invalid("body", "the upload was interrupted before its end");
    } catch (IOException e) {
      LOG.warn("a shared file could not be stored: {}", e.getClass().getName());
      throw new CandorException(
          CandorException.Kind.UNAVAILABLE, "the file could not be stored; try again");
    }
    if (size[0] == 0) {
      deleteQuietly(id);
      throw CandorException.invalid("body", "is empty: send the file's bytes");
    }
    long now = clock.millis();
    MediaRows.Row row =
        new MediaRows.Row(
            id,
            owner,
            FieldCipher.encrypt(ownerKey, owner, FIELD, type),
            size[0],
            key.wrapped(),
            now);
    boolean stored;
    try {
      stored = db.inTransaction(h -> MediaRows.insertIfPersonExists(h, row));
    } catch (RuntimeException e) {
      deleteQuietly(id);
      throw e;
    }
    if (!stored) {
      deleteQuietly(id);
      throw CandorException.notFound("person");
    }
    return new Stored(id, size[0], type, Instant.ofEpochMilli(now));
  }

  /**
   * The file {@code mediaId} if {@code userId} may download it: its uploader, or someone the {@link
   * MediaAudience} admits. Anyone else is told there is no such file.
   */
  public Found find(String mediaId, String userId) {
    Objects.requireNonNull(mediaId, "mediaId");
    Objects.requireNonNull(userId, "userId");
    MediaRows.Row row =
        db.withHandle(h -> MediaRows.find(h, mediaId))
            .orElseThrow(() -> CandorException.notFound("media"));
    if (!row.subjectId().equals(userId) && !audience.mayDownload(mediaId, userId)) {
      throw CandorException.notFound("media");
    }
    return new Found(row.id(), row.subjectId());
  }

  /**
   * Opens {@code found} for download through a grant on its uploader. The stream decrypts as it is
   * read and fails (an {@link IOException}) if the blob was altered.
   */
  public Download open(Grant grant, Found found) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(found, "found");
    if (!grant.subjectId().equals(found.ownerId())) {
      throw new IllegalArgumentException("the grant is for another person than the file's owner");
    }
    if (!grant.reveal(FIELD)) {
      throw CandorException.forbidden("this read does not cover " + FIELD);
    }
    return decrypted(found.ownerId(), found.id());
  }

  /** The person's files, oldest first, with their types decrypted (for privacy requests). */
  List<Stored> files(String subjectId) {
    List<MediaRows.Row> rows = db.withHandle(h -> MediaRows.of(h, subjectId));
    if (rows.isEmpty()) {
      return List.of();
    }
    Aead ownerKey = keys.find(subjectId).orElse(null);
    if (ownerKey == null) {
      return List.of();
    }
    return rows.stream()
        .map(
            r ->
                new Stored(
                    r.id(),
                    r.size(),
                    FieldCipher.decrypt(ownerKey, subjectId, FIELD, r.contentTypeCt()),
                    Instant.ofEpochMilli(r.createdAt())))
        .toList();
  }

  /** One of the person's files, decrypting as read (for the export). */
  Download decrypted(String ownerId, String mediaId) {
    MediaRows.Row row =
        db.withHandle(h -> MediaRows.find(h, mediaId))
            .filter(r -> r.subjectId().equals(ownerId))
            .orElseThrow(() -> CandorException.notFound("media"));
    Aead ownerKey = keys.find(ownerId).orElseThrow(() -> CandorException.notFound("media"));
    String type = FieldCipher.decrypt(ownerKey, ownerId, FIELD, row.contentTypeCt());
    StreamingAead fileKey = FileKeys.unwrap(ownerKey, row.id(), ownerId, row.wrappedKey());
    try {
      InputStream blob = blobs.open(row.id());
      try {
        return new Download(
            type,
            row.size(),
            fileKey.newDecryptingStream(blob, FileKeys.associatedData(row.id(), ownerId)));
      } catch (GeneralSecurityException | IOException e) {
        blob.close();
        throw e;
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw CandorException.notFound("media");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("a shared file cannot be read", e);
    }
  }

  /**
   * Deletes the person's file records inside the erasure's transaction (their key is already gone
   * in it, so the blobs are noise from the commit on) and the blobs once it commits. A blob whose
   * deletion fails, or is cut short by a crash, is swept at the next start ({@link #sweepOrphans}).
   */
  int erase(Handle h, String subjectId) {
    List<String> ids = MediaRows.of(h, subjectId).stream().map(MediaRows.Row::id).toList();
    int count = MediaRows.delete(h, subjectId);
    if (!ids.isEmpty()) {
      h.afterCommit(() -> ids.forEach(this::deleteQuietly));
    }
    return count;
  }

  long subjectsWithData() {
    return db.withHandle(MediaRows::subjects);
  }

  /**
   * Deletes every blob without a record: left by a crash between a blob's write and its record, or
   * between an erasure's commit and its blob deletions. Run at start, before any upload: a blob
   * still being recorded looks the same, so this is right only while no upload is in flight on any
   * node writing the same store. Returns how many were deleted.
   */
  public int sweepOrphans() {
    try {
      Set<String> known = new HashSet<>(db.withHandle(MediaRows::ids));
      int deleted = 0;
      for (String name : blobs.list()) {
        if (!known.contains(name) && blobs.delete(name)) {
          deleted++;
        }
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sweep the media store", e);
    }
  }

  private void deleteQuietly(String id) {
    try {
      blobs.delete(id);
    } catch (IOException | RuntimeException e) {
      // Its key is unwrappable or gone; the next start's sweep deletes it.
      LOG.warn("a media blob could not be deleted: {}", e.getClass().getName());
    }
  }

  private static CandorException tooLarge(long declared) {
    return new CandorException(
        CandorException.Kind.PAYLOAD_TOO_LARGE,
        (declared > MAX_BYTES ? "the file is " + declared + " bytes" : "the file is larger")
            + "; the limit is "
            + MAX_BYTES
            + " bytes (100 MiB)");
  }

  /** Copies {@code in} through the file's key into {@code out}; returns the plaintext size. */
  private static long encrypt(StreamingAead key, byte[] ad, InputStream in, OutputStream out)
      throws IOException {
    long total = 0;
    try (OutputStream encrypting = key.newEncryptingStream(out, ad)) {
      byte[] buffer = new byte[COPY_BUFFER];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n;
        if (total > MAX_BYTES) {
          throw new TooLarge();
        }
        encrypting.write(buffer, 0, n);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt a file", e);
    }
    return total;
  }

  /** The body went past {@link #MAX_BYTES}. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("too large");
    }
  }

  /** The request body, whose read failures (the client went away) are told apart from ours. */
  private static final class ClientBody extends FilterInputStream {
    ClientBody(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw new Unreadable(e);
      }
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw new Unreadable(e);
      }
    }

    static final class Unreadable extends IOException {
      private static final long serialVersionUID = 1L;

      Unreadable(IOException cause) {
        super("the request body could not be read", cause);
      }
    }
  }
}
