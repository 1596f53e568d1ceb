package app.candor.core.catalog;

import static app.candor.core.catalog.Purpose.ACCOUNT;
import static app.candor.core.catalog.Purpose.ANALYTICS;
import static app.candor.core.catalog.Purpose.LOCATION;
import static app.candor.core.catalog.Purpose.MESSAGING;
import static app.candor.core.catalog.Purpose.NEARBY_DISCOVERY;
import static app.candor.core.catalog.Purpose.PAYMENTS;
import static app.candor.core.catalog.Purpose.PERSONALIZATION;
import static app.candor.core.catalog.Purpose.PERSONALIZED_ADS;
import static app.candor.core.catalog.Purpose.SAFETY;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The single source of truth: every field Candor stores about a person, declared once. No catalog
 * entry, no storage: {@code CatalogSchemaTest} fails when a column holding personal data is not
 * declared here. Reports, exports, erasure and the transparency page are generated from it.
 */
public final class Catalog {

  private static final String UNTIL_ERASED = "Until you erase your account";

  private final Map<String, FieldSpec> fields;
  private final Map<String, String> technicalColumns;

  private Catalog(List<FieldSpec> fields, Map<String, String> technicalColumns) {
    Map<String, FieldSpec> byId = new LinkedHashMap<>();
    for (FieldSpec field : fields) {
      if (byId.put(field.id(), field) != null) {
        throw new IllegalStateException("field declared twice: " + field.id());
      }
    }
    this.fields = Collections.unmodifiableMap(byId);
    this.technicalColumns = Map.copyOf(technicalColumns);
  }

  /**
   * The catalog of this version of Candor, stating the retention periods in force: the same
   * settings the retention clean-up applies, so the report, the export and the transparency page
   * say what the code does.
   */
  public static Catalog standard(RetentionSettings retention) {
    java.util.Objects.requireNonNull(retention, "retention");
    List<FieldSpec> fields = new ArrayList<>();
    fields.add(
        personal(
            "name",
            "Your name as shown to your contacts, on receipts, and to people nearby if you chose to"
                + " be visible to them.",
            Set.of(ACCOUNT, MESSAGING, PAYMENTS, SAFETY, NEARBY_DISCOVERY),
            Sensitivity.MEDIUM,
            "people.name_ct"));
    fields.add(
        personal(
            "phone",
            "Your mobile number in international format, used to sign in and verify you.",
            Set.of(ACCOUNT, PAYMENTS, SAFETY),
            Sensitivity.HIGH,
            "people.phone_ct",
            "people.phone_bidx"));
    fields.add(
        personal(
            "email",
            "Your email address, used to sign in, verify you and send receipts.",
            Set.of(ACCOUNT, PAYMENTS, SAFETY),
            Sensitivity.HIGH,
            "people.email_ct",
            "people.email_bidx"));
    fields.add(
        personal(
            "birthDate",
            "Your date of birth: for your account (the app's services may check age limits with"
                + " it) and, only if you allow it, for personalized content and ads.",
            Set.of(ACCOUNT, PERSONALIZATION, PERSONALIZED_ADS),
            Sensitivity.HIGH,
            "people.birth_date_ct"));
    fields.add(
        personal(
            "gender",
            "Your gender as you gave it, for personalized content and ads, only if you allow"
                + " them.",
            Set.of(PERSONALIZATION, PERSONALIZED_ADS),
            Sensitivity.MEDIUM,
            "people.gender_ct"));
    fields.add(
        personal(
            "occupation",
            "Your occupation as you gave it, for personalized content and ads, only if you allow"
                + " them.",
            Set.of(PERSONALIZATION, PERSONALIZED_ADS),
            Sensitivity.MEDIUM,
            "people.occupation_ct"));
    fields.add(
        new FieldSpec(
            "personal.phoneVerified",
            Category.PERSONAL,
            "When you proved you own your phone number with a one-time code.",
            Set.of(ACCOUNT, SAFETY),
            Sensitivity.LOW,
            UNTIL_ERASED,
            false,
            Set.of("people.phone_verified_at")));
    fields.add(
        new FieldSpec(
            "personal.emailVerified",
            Category.PERSONAL,
            "When you proved you own your email address with a one-time code.",
            Set.of(ACCOUNT, SAFETY),
            Sensitivity.LOW,
            UNTIL_ERASED,
            false,
            Set.of("people.email_verified_at")));
    fields.add(
        new FieldSpec(
            "personal.consents",
            Category.PERSONAL,
            "The choices you made about each purpose, and every change: when, and through which"
                + " app or page.",
            Set.of(ACCOUNT),
            Sensitivity.LOW,
            UNTIL_ERASED,
            false,
            Set.of(
                "consents.purpose",
                "consents.granted",
                "consents.level",
                "consents.source",
                "consents.updated_at",
                "consent_events.purpose",
                "consent_events.granted",
                "consent_events.level",
                "consent_events.source",
                "consent_events.at")));
    fields.add(
        new FieldSpec(
            "personal.accessLog",
            Category.PERSONAL,
            "Every read of your data by a service or an operator: who, for which purpose, which"
                + " fields, when; being shown to people nearby is counted per day and service.",
            Set.of(ACCOUNT),
            Sensitivity.LOW,
            UNTIL_ERASED,
            false,
            Set.of(
                "access_log.at",
                "access_log.caller",
                "access_log.purpose",
                "access_log.fields",
                "access_log_daily.day",
                "access_log_daily.caller",
                "access_log_daily.purpose",
                "access_log_daily.fields",
                "access_log_daily.reads",
                "access_log_daily.first_at",
                "access_log_daily.last_at")));
    fields.add(
        new FieldSpec(
            "personal.signInSessions",
            Category.PERSONAL,
            "Your signed-in sessions: a random session id, when each began and when it expires"
                + " (the token itself is stored only as a hash). You can end any of them.",
            Set.of(ACCOUNT, SAFETY),
            Sensitivity.LOW,
            "24 hours at most: a session is deleted when you sign out or end it, and an expired"
                + " one at the clean-up that runs at start and every 6 hours; all of them at erasure",
            false,
            Set.of(
                "user_tokens.token_hash",
                "user_tokens.session_id",
                "user_tokens.created_at",
                "user_tokens.expires_at")));
    fields.add(
        new FieldSpec(
            "personal.verificationCodes",
            Category.PERSONAL,
            "One-time sign-in codes sent to you: channel, when, attempts; and, to stop floods, how"
                + " many codes your address was sent lately. The code and the address are stored"
                + " only as keyed hashes.",
            Set.of(ACCOUNT, SAFETY),
            Sensitivity.LOW,
            "10 minutes of validity; the record is kept until you erase your account; the count of"
                + " requests for 15 minutes",
            false,
            Set.of(
                "otp_verifications.channel",
                "otp_verifications.target_bidx",
                "otp_verifications.code_hash",
                "otp_verifications.created_at",
                "otp_verifications.expires_at",
                "otp_verifications.attempts",
                "otp_verifications.consumed_at",
                "rate_limit_slots.key_hash",
                "rate_limit_slots.expires_at")));

    // The clean-up deletes whole UTC days: an event goes once its day ended this many days ago.
    String usageRetention =
        RetentionSettings.days(retention.usageDays())
            + " after the day it happened, then deleted by the clean-up that runs every "
            + retention.cleanupInWords()
            + "; at once when you erase your account";
    fields.add(
        new FieldSpec(
            "usage.events",
            Category.USAGE,
            "What you did in the app: each screen viewed, feature used and session start or end,"
                + " with its time and the service that reported it.",
            Set.of(ANALYTICS, PERSONALIZATION),
            Sensitivity.MEDIUM,
            usageRetention,
            false,
            Set.of(
                "usage_events.message_id",
                "usage_events.at",
                "usage_events.type",
                "usage_events.name",
                "usage_events.service",
                "usage_events.received_at")));
    fields.add(
        new FieldSpec(
            "usage.eventDetails",
            Category.USAGE,
            "Details the app attached to each event: its properties and context (device, operating"
                + " system, app version, language).",
            Set.of(ANALYTICS),
            Sensitivity.MEDIUM,
            usageRetention,
            true,
            Set.of("usage_events.detail_ct")));
    fields.add(
        new FieldSpec(
            "usage.sessions",
            Category.USAGE,
            "Your app sessions: when each began and ended, how many events, which features.",
            Set.of(ANALYTICS, PERSONALIZATION),
            Sensitivity.LOW,
            usageRetention,
            false,
            Set.of(
                "usage_sessions.session_id",
                "usage_sessions.started_at",
                "usage_sessions.last_at",
                "usage_sessions.events",
                "usage_sessions.features",
                "usage_sessions.explicit",
                "usage_sessions.closed")));
    fields.add(
        new FieldSpec(
            "usage.dailyActivity",
            Category.USAGE,
            "The days you used each feature, kept so trends need not re-read raw events.",
            Set.of(ANALYTICS, PERSONALIZATION),
            Sensitivity.LOW,
            usageRetention,
            false,
            Set.of("usage_person_days.feature", "usage_person_days.day")));

    String locationRetention =
        RetentionSettings.days(retention.locationDays())
            + ", then deleted by the clean-up that runs every "
            + retention.cleanupInWords()
            + "; at once when you withdraw location consent or erase your account";
    fields.add(
        new FieldSpec(
            "location.current",
            Category.LOCATION,
            "Where you are now, as the grid square of about 1 km of your latest plausible position"
                + " and its time: what people nearby are found by. Others only ever see a distance"
                + " band between grid squares (such as 1-2 km), never a position. While you allow"
                + " location, the fraud check of your payments also compares it with where you"
                + " usually are.",
            Set.of(LOCATION, NEARBY_DISCOVERY, SAFETY),
            Sensitivity.HIGH,
            locationRetention,
            false,
            Set.of("location_current.at", "location_current.cell")));
    fields.add(
        new FieldSpec(
            "location.history",
            Category.LOCATION,
            "Each position update the app sent: its time, when it arrived, the precision you"
                + " consented to, and whether it was flagged as impossible travel. While you allow"
                + " location, the fraud check of your payments finds in it where you usually are"
                + " (the grid square you were in most often in the last month).",
            Set.of(LOCATION, SAFETY),
            Sensitivity.MEDIUM,
            locationRetention,
            false,
            Set.of(
                "location_points.at",
                "location_points.received_at",
                "location_points.level",
                "location_points.flagged",
                "location_log.at",
                "location_log.received_at",
                "location_log.level",
                "location_log.flagged")));
    fields.add(
        new FieldSpec(
            "location.exactPositions",
            Category.LOCATION,
            "At the precise level only: the exact position of each update and its accuracy,"
                + " encrypted with your key. At the approximate level only the grid square is kept,"
                + " and switching to approximate deletes the exact positions kept so far.",
            Set.of(LOCATION),
            Sensitivity.HIGH,
            locationRetention,
            true,
            Set.of("location_points.position_ct", "location_log.position_ct")));
    fields.add(
        new FieldSpec(
            "location.areas",
            Category.LOCATION,
            "The grid square of about 1 km of each position update, for nearby places and people"
                + " nearby at the approximate level.",
            Set.of(LOCATION, NEARBY_DISCOVERY),
            Sensitivity.MEDIUM,
            locationRetention,
            false,
            Set.of("location_points.cell", "location_log.cell")));

    PaymentFields.add(fields, retention);
    CommunicationFields.add(fields);
    MediaFields.add(fields);
    ContactFields.add(fields);

    Map<String, String> technical = new LinkedHashMap<>();
    technical.put("people.field_times", "when each field was first and last collected");
    technical.put("people.created_at", "when the record was created");
    technical.put("people.updated_at", "when the record last changed");
    technical.put("subject_keys.wrapped_keyset", "the person's encryption key, itself encrypted");
    technical.put("subject_keys.created_at", "when the person's key was made");
    technical.put("consent_events.id", "random row id");
    technical.put("access_log.id", "row id: the time of the read and random bits");
    technical.put("otp_verifications.id", "random verification id");
    technical.put("rate_limit_slots.scope", "which request limit a row counts for");
    technical.put("rate_limit_slots.slot", "which of the limit's allowed requests a row holds");
    technical.put("usage_events.seq", "the event's position in the log (arrival order)");
    technical.put("usage_event_owners.first_seq", "the first log position listed in the row");
    technical.put("usage_event_owners.last_seq", "the last log position listed in the row");
    technical.put("usage_event_owners.seqs", "which log positions hold the person's events");
    technical.put("location_points.seq", "the update's position in the history (order moved)");
    technical.put("location_log.seq", "the update's position in the log (arrival order)");
    technical.put("erasure_receipts.erased_at", "when an erasure happened (receipt, no data)");
    technical.put("erasure_receipts.erased_counts", "how many records were erased per category");
    PaymentFields.technical(technical);
    CommunicationFields.technical(technical);
    MediaFields.technical(technical);
    return new Catalog(fields, technical);
  }

  private static FieldSpec personal(
      String name, String description, Set<Purpose> purposes, Sensitivity s, String... columns) {
    return new FieldSpec(
        "personal." + name,
        Category.PERSONAL,
        description,
        purposes,
        s,
        UNTIL_ERASED,
        true,
        Set.copyOf(Arrays.asList(columns)));
  }

  public List<FieldSpec> fields() {
    return List.copyOf(fields.values());
  }

  public List<FieldSpec> fields(Category category) {
    return fields.values().stream().filter(f -> f.category() == category).toList();
  }

  public Optional<FieldSpec> field(String id) {
    return Optional.ofNullable(fields.get(id));
  }

  public FieldSpec require(String id) {
    FieldSpec spec = fields.get(id);
    if (spec == null) {
      throw new IllegalArgumentException("not in the catalog: " + id);
    }
    return spec;
  }

  /** Columns in personal tables that hold no personal data themselves, with why. */
  public Map<String, String> technicalColumns() {
    return technicalColumns;
  }

  /** Every purpose that may read at least one field of {@code category}. */
  public Set<Purpose> purposes(Category category) {
    java.util.EnumSet<Purpose> out = java.util.EnumSet.noneOf(Purpose.class);
    fields(category).forEach(f -> out.addAll(f.purposes()));
    return out;
  }
}
