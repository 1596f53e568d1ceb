package app.candor.personal;

import app.candor.core.auth.UserTokens;
import app.candor.core.catalog.Category;
import app.candor.privacy.SubjectData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** The personal domain's part of privacy requests: the profile, sign-in sessions and codes. */
public final class PersonalData implements SubjectData {

  private static final List<String> PROFILE =
      List.of(
          "name",
          "phone",
          "email",
          "birthDate",
          "gender",
          "occupation",
          "phoneVerified",
          "emailVerified");

  private final PersonalService people;
  private final UserTokens tokens;
  private final CodeDelivery delivery;

  public PersonalData(PersonalService people, UserTokens tokens, CodeDelivery delivery) {
    this.people = Objects.requireNonNull(people, "people");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.delivery = Objects.requireNonNull(delivery, "delivery");
  }

  @Override
  public Category category() {
    return Category.PERSONAL;
  }

  @Override
  public Set<String> fieldIds() {
    Set<String> ids = new java.util.LinkedHashSet<>();
    PROFILE.forEach(f -> ids.add("personal." + f));
    ids.add("personal.signInSessions");
    ids.add("personal.verificationCodes");
    return ids;
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<Held> out = new ArrayList<>();
    Optional<Person> person = people.find(subjectId);
    if (person.isEmpty()) {
      return out;
    }
    Map<String, long[]> times = people.fieldTimes(subjectId);
    Map<String, Object> values = person.get().values();
    for (String field : PROFILE) {
      Object value = values.get(field);
      if (value != null) {
        long[] t = times.get(field);
        out.add(
            Held.value(
                "personal." + field,
                value,
                Optional.ofNullable(t).map(x -> Instant.ofEpochMilli(x[0])),
                Optional.ofNullable(t).map(x -> Instant.ofEpochMilli(x[1]))));
      }
    }
    List<UserTokens.Session> sessions = tokens.sessions(subjectId);
    if (!sessions.isEmpty()) {
      // Listed one by one, with the id the person ends a session by (never the token or its hash).
      out.add(
          Held.value(
              "personal.signInSessions",
              sessions,
              Optional.of(sessions.get(0).createdAt()),
              Optional.of(sessions.get(sessions.size() - 1).createdAt())));
    }
    List<long[]> codes = codeTimes(subjectId);
    if (!codes.isEmpty()) {
      out.add(
          Held.count(
              "personal.verificationCodes",
              codes.size(),
              Optional.of(Instant.ofEpochMilli(codes.get(0)[0])),
              Optional.of(Instant.ofEpochMilli(codes.get(codes.size() - 1)[0]))));
    }
    return out;
  }

  @Override
  public List<Table> tables(String subjectId) {
    List<List<String>> sessionRows =
        tokens.sessions(subjectId).stream()
            .map(s -> List.of(s.sessionId(), s.createdAt().toString(), s.expiresAt().toString()))
            .toList();
    List<List<String>> codeRows =
        people
            .database()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT channel, created_at, attempts, consumed_at FROM"
                                + " otp_verifications WHERE subject_id = :s ORDER BY created_at")
                        .bind("s", subjectId)
                        .map(
                            (rs, ctx) ->
                                List.of(
                                    rs.getString(1),
                                    Instant.ofEpochMilli(rs.getLong(2)).toString(),
                                    Integer.toString(rs.getInt(3)),
                                    rs.getObject(4) == null
                                        ? ""
                                        : Instant.ofEpochMilli(rs.getLong(4)).toString()))
                        .list());
    return List.of(
        new Table(
            "personal.signInSessions",
            "sign-in-sessions",
            List.of("sessionId", "startedAt", "expiresAt"),
            sessionRows),
        new Table(
            "personal.verificationCodes",
            "verification-codes",
            List.of("channel", "sentAt", "attempts", "usedAt"),
            codeRows));
  }

  @Override
  public int erase(Handle h, String subjectId) {
    delivery.forget(subjectId);
    // Verifications first: they are found by the person's blind indexes, still in their row.
    int count = SignIn.erase(h, subjectId);
    count += people.repository().delete(h, subjectId);
    count += tokens.erase(h, subjectId);
    return count;
  }

  @Override
  public long subjectsWithData() {
    return people.database().withHandle(h -> people.repository().count(h));
  }

  private List<long[]> codeTimes(String subjectId) {
    return people
        .database()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT created_at FROM otp_verifications WHERE subject_id = :s"
                            + " ORDER BY created_at")
                    .bind("s", subjectId)
                    .map((rs, ctx) -> new long[] {rs.getLong(1)})
                    .list());
  }
}
