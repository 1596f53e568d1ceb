package app.candor.personal;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.auth.Caller;
import app.candor.privacy.PrivacyService;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Erasure forgets every one-time-code record tied to the person, by id or by address, and the
 * request limits kept for their addresses.
 */
class SignInErasureTest {

  @TempDir Path dir;

  static Iterable<String> kinds() {
    return TestDatabases.kinds();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void erasing_a_person_forgets_codes_asked_for_their_address_before_they_registered(String kind) {
    try (Candor candor = Candor.withOutbox(TestDatabases.config(kind, dir))) {
      // Asked before the account existed: kept with the address' blind index, and no person.
      candor.signIn().start("email", "early.bird@example.org", "client-1");
      candor.signIn().start("sms", "+4915199777001", "client-1");
      // Someone else's unknown address stays until it expires.
      candor.signIn().start("email", "stranger@example.org", "client-1");

      Map<String, Optional<String>> input = new LinkedHashMap<>();
      input.put("name", Optional.of("Early Bird"));
      input.put("phone", Optional.of("+4915199777001"));
      input.put("email", Optional.of("early.bird@example.org"));
      String id = candor.people().create(new Caller.Admin(), input).id();
      // Asked after: tied to the person.
      candor.signIn().start("sms", "+4915199777001", "client-1");
      assertThat(codes(candor)).isEqualTo(4);

      candor.privacy().erase(candor.gate().change(new Caller.Admin(), id, PrivacyService.ERASURE));

      assertThat(codes(candor)).as("only the stranger's code is left").isEqualTo(1);
      String phone = candor.people().blindIndex("phone", "+4915199777001");
      String email = candor.people().blindIndex("email", "early.bird@example.org");
      long left =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM otp_verifications"
                                  + " WHERE target_bidx IN (:p, :e) OR subject_id = :s")
                          .bind("p", phone)
                          .bind("e", email)
                          .bind("s", id)
                          .mapTo(Long.class)
                          .one());
      assertThat(left).isZero();
      // Nor do the request limits kept for the person's addresses.
      long limits =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM rate_limit_slots WHERE key_hash IN (:p, :e)")
                          .bind("p", phone)
                          .bind("e", email)
                          .mapTo(Long.class)
                          .one());
      assertThat(limits).isZero();
      long strangers =
          candor
              .database()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM rate_limit_slots WHERE scope = 'otp-address'")
                          .mapTo(Long.class)
                          .one());
      assertThat(strangers).as("the stranger's limit is left").isEqualTo(1);
    }
  }

  private static long codes(Candor candor) {
    return candor
        .database()
        .withHandle(
            h -> h.createQuery("SELECT COUNT(*) FROM otp_verifications").mapTo(Long.class).one());
  }
}
