package app.candor.communication.media;

import app.candor.core.catalog.Category;
import app.candor.privacy.SubjectData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Shared files' part of privacy requests: the report says how many and how large, the export lists
 * them and holds the files themselves (decrypted, {@code communication-media-<id>.<ext>}), and
 * erasure deletes the records and the blobs (the erasure has deleted the person's key first, which
 * already made the blobs unreadable).
 *
 * <p>The export interface takes each document as bytes, so the export holds the person's files in
 * memory while it is built; a person who shared many large files needs a heap to match until the
 * export streams its documents.
 */
public final class MediaData implements SubjectData {

  private final MediaService media;

  public MediaData(MediaService media) {
    this.media = Objects.requireNonNull(media, "media");
  }

  @Override
  public Category category() {
    return Category.COMMUNICATION;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of(MediaService.FIELD);
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<MediaService.Stored> files = media.files(subjectId);
    if (files.isEmpty()) {
      return List.of();
    }
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("files", files.size());
    value.put("totalBytes", files.stream().mapToLong(MediaService.Stored::size).sum());
    return List.of(
        Held.value(
            MediaService.FIELD,
            value,
            Optional.of(files.get(0).createdAt()),
            Optional.of(files.get(files.size() - 1).createdAt())));
  }

  @Override
  public List<Table> tables(String subjectId) {
    List<List<String>> rows = new ArrayList<>();
    for (MediaService.Stored f : media.files(subjectId)) {
      rows.add(
          List.of(
              f.id(),
              f.createdAt().toString(),
              f.contentType(),
              Long.toString(f.size()),
              "communication-" + fileName(f)));
    }
    if (rows.isEmpty()) {
      return List.of();
    }
    return List.of(
        new Table(
            MediaService.FIELD,
            "media",
            List.of("id", "sharedAt", "contentType", "size", "fileInThisExport"),
            rows));
  }

  @Override
  public List<Document> documents(String subjectId) {
    List<Document> out = new ArrayList<>();
    for (MediaService.Stored f : media.files(subjectId)) {
      MediaService.Download d = media.decrypted(subjectId, f.id());
      try (InputStream in = d.content()) {
        out.add(new Document(fileName(f), in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException("a shared file could not be read for the export", e);
      }
    }
    return out;
  }

  @Override
  public int erase(Handle handle, String subjectId) {
    return media.erase(handle, subjectId);
  }

  @Override
  public long subjectsWithData() {
    return media.subjectsWithData();
  }

  private static String fileName(MediaService.Stored f) {
    return "media-" + f.id() + MediaTypes.extension(f.contentType());
  }
}
