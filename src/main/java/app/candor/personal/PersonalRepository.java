package app.candor.personal;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** SQL for the {@code people} table. Values arrive and leave encrypted; no logic here. */
final class PersonalRepository {

  /** One stored row: ciphertexts, blind indexes and timestamps. */
  record Row(
      String subjectId,
      String nameCt,
      @Nullable String phoneCt,
      @Nullable String phoneBidx,
      @Nullable String emailCt,
      @Nullable String emailBidx,
      @Nullable String birthDateCt,
      @Nullable String genderCt,
      @Nullable String occupationCt,
      @Nullable Long phoneVerifiedAt,
      @Nullable Long emailVerifiedAt,
      String fieldTimes,
      long createdAt,
      long updatedAt) {}

  private static final String COLUMNS =
      "subject_id, name_ct, phone_ct, phone_bidx, email_ct, email_bidx, birth_date_ct, gender_ct,"
          + " occupation_ct, phone_verified_at, email_verified_at, field_times, created_at,"
          + " updated_at";

  void insert(Handle h, Row r) {
    h.createUpdate(
            "INSERT INTO people ("
                + COLUMNS
                + ") VALUES (:subjectId, :nameCt, :phoneCt, :phoneBidx, :emailCt, :emailBidx,"
                + " :birthDateCt, :genderCt, :occupationCt, :phoneVerifiedAt, :emailVerifiedAt,"
                + " :fieldTimes, :createdAt, :updatedAt)")
        .bindMap(params(r))
        .execute();
  }

  void update(Handle h, Row r) {
    h.createUpdate(
            "UPDATE people SET name_ct = :nameCt, phone_ct = :phoneCt, phone_bidx = :phoneBidx,"
                + " email_ct = :emailCt, email_bidx = :emailBidx, birth_date_ct = :birthDateCt,"
                + " gender_ct = :genderCt, occupation_ct = :occupationCt,"
                + " phone_verified_at = :phoneVerifiedAt, email_verified_at = :emailVerifiedAt,"
                + " field_times = :fieldTimes, updated_at = :updatedAt"
                + " WHERE subject_id = :subjectId")
        .bindMap(params(r))
        .execute();
  }

  private static java.util.Map<String, @Nullable Object> params(Row r) {
    java.util.Map<String, @Nullable Object> m = new java.util.HashMap<>();
    m.put("subjectId", r.subjectId());
    m.put("nameCt", r.nameCt());
    m.put("phoneCt", r.phoneCt());
    m.put("phoneBidx", r.phoneBidx());
    m.put("emailCt", r.emailCt());
    m.put("emailBidx", r.emailBidx());
    m.put("birthDateCt", r.birthDateCt());
    m.put("genderCt", r.genderCt());
    m.put("occupationCt", r.occupationCt());
    m.put("phoneVerifiedAt", r.phoneVerifiedAt());
    m.put("emailVerifiedAt", r.emailVerifiedAt());
    m.put("fieldTimes", r.fieldTimes());
    m.put("createdAt", r.createdAt());
    m.put("updatedAt", r.updatedAt());
    return m;
  }

  Optional<Row> find(Handle h, String subjectId) {
    return h.createQuery("SELECT " + COLUMNS + " FROM people WHERE subject_id = :s")
        .bind("s", subjectId)
        .map(
            (rs, ctx) ->
                new Row(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getString(8),
                    rs.getString(9),
                    nullableLong(rs, 10),
                    nullableLong(rs, 11),
                    rs.getString(12),
                    rs.getLong(13),
                    rs.getLong(14)))
        .findOne();
  }

  private static @Nullable Long nullableLong(java.sql.ResultSet rs, int column)
      throws java.sql.SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  boolean exists(Handle h, String subjectId) {
    return h.createQuery("SELECT 1 FROM people WHERE subject_id = :s")
        .bind("s", subjectId)
        .mapTo(Integer.class)
        .findOne()
        .isPresent();
  }

  /** The person whose phone or email has the blind index {@code bidx} ({@code column}). */
  Optional<String> findByIndex(Handle h, String column, String bidx) {
    String sql =
        switch (column) {
          case "phone" -> "SELECT subject_id FROM people WHERE phone_bidx = :b";
          case "email" -> "SELECT subject_id FROM people WHERE email_bidx = :b";
          default -> throw new IllegalArgumentException(column);
        };
    return h.createQuery(sql).bind("b", bidx).mapTo(String.class).findOne();
  }

  int delete(Handle h, String subjectId) {
    return h.createUpdate("DELETE FROM people WHERE subject_id = :s")
        .bind("s", subjectId)
        .execute();
  }

  long count(Handle h) {
    return h.createQuery("SELECT COUNT(*) FROM people").mapTo(Long.class).one();
  }
}
