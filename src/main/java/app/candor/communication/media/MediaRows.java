package app.candor.communication.media;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code media} table. */
final class MediaRows {
  private MediaRows() {}

  /** One stored file's record. */
  record Row(
      String id,
      String subjectId,
      String contentTypeCt,
      long size,
      String wrappedKey,
      long createdAt) {
    @Override
    public String toString() {
      return "Row[" + id + ", masked]";
    }
  }

  /**
   * Inserts the record only while the uploader's key exists, in one statement: an upload that raced
   * the uploader's erasure stores nothing. Returns whether the row was written.
   */
  static boolean insertIfPersonExists(Handle h, Row r) {
    return h.createUpdate(
                "INSERT INTO media (id, subject_id, content_type_ct, size, wrapped_key,"
                    + " created_at) SELECT :id, :s, :ct, :size, :k, :t WHERE EXISTS"
                    + " (SELECT 1 FROM subject_keys WHERE subject_id = :s)")
            .bind("id", r.id())
            .bind("s", r.subjectId())
            .bind("ct", r.contentTypeCt())
            .bind("size", r.size())
            .bind("k", r.wrappedKey())
            .bind("t", r.createdAt())
            .execute()
        == 1;
  }

  static Optional<Row> find(Handle h, String id) {
    return h.createQuery("SELECT * FROM media WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> row(rs))
        .findOne();
  }

  static List<Row> of(Handle h, String subjectId) {
    return h.createQuery("SELECT * FROM media WHERE subject_id = :s ORDER BY created_at, id")
        .bind("s", subjectId)
        .map((rs, ctx) -> row(rs))
        .list();
  }

  static List<String> ids(Handle h) {
    return h.createQuery("SELECT id FROM media").mapTo(String.class).list();
  }

  static int delete(Handle h, String subjectId) {
    return h.createUpdate("DELETE FROM media WHERE subject_id = :s").bind("s", subjectId).execute();
  }

  static long subjects(Handle h) {
    return h.createQuery("SELECT COUNT(DISTINCT subject_id) FROM media").mapTo(Long.class).one();
  }

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Row(
        rs.getString("id"),
        rs.getString("subject_id"),
        rs.getString("content_type_ct"),
        rs.getLong("size"),
        rs.getString("wrapped_key"),
        rs.getLong("created_at"));
  }
}
