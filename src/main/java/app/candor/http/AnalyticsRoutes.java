package app.candor.http;

import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.Validation;
import app.candor.usage.UsageAnalytics;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Usage analytics: aggregates only, for operators and for services whose key may claim {@code
 * analytics}. Numbers fewer than ten people stand behind are null with {@code "suppressed": true}.
 */
public record AnalyticsRoutes(PurposeGate gate, UsageAnalytics analytics)
    implements HttpServer.Module {

  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");
  static final int DEFAULT_DAYS = 30;
  static final int DEFAULT_RETENTION_DAYS = 7 * 12;
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 100;

  private static final String SUPPRESSION =
      " Any number fewer than 10 people stand behind is null, and the object holding it has"
          + " \"suppressed\": true (false otherwise).";

  @Override
  public void register(Api api, Requests requests) {
    String fromDoc =
        "first UTC date, YYYY-MM-DD, 1970-01-01 or later; default: "
            + DEFAULT_DAYS
            + " days up to to";
    String toDoc =
        "last UTC date, YYYY-MM-DD, not before from, at most "
            + UsageAnalytics.MAX_RANGE_DAYS
            + " days after it counting both ends; default: today (UTC)";

    api.get(
        "/v1/analytics/active-users",
        errors(
            Op.of("analytics", "Active people in rolling windows ending on each date, with DAU/MAU")
                .query("from", fromDoc)
                .query("to", toDoc)
                .query("window", "day (1 day), week (7 days) or month (30 days); default: day")
                .ok(
                    200,
                    "one point per date of the range." + SUPPRESSION,
                    Schemas.object(
                        List.of("window", "points"),
                        "window",
                        Schemas.string("day, week or month"),
                        "points",
                        Schemas.array(
                            Schemas.object(
                                List.of("date", "users", "stickiness", "suppressed"),
                                "date",
                                Schemas.string("YYYY-MM-DD, UTC: the last day of the window"),
                                "users",
                                nullable(
                                    "integer",
                                    "distinct people active in the window; null if under 10"),
                                "stickiness",
                                nullable(
                                    "number",
                                    "DAU/MAU of the date (30-day month), 4 decimals; null if"
                                        + " the DAU is under 10"),
                                "suppressed",
                                Schemas.bool("true when users or stickiness is suppressed")))))),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.ANALYTICS, true, "analytics");
          Params p = Params.of(ctx, analytics.today(), DEFAULT_DAYS, "from", "to", "window");
          String raw = p.value("window").orElse("day");
          Optional<UsageAnalytics.Window> window = UsageAnalytics.Window.byId(raw);
          if (window.isEmpty()) {
            p.v.add("window", "must be day, week or month");
          }
          p.check();
          ctx.json(analytics.activeUsers(p.from, p.to, window.orElseThrow()));
        });

    api.get(
        "/v1/analytics/sessions",
        errors(
            Op.of("analytics", "Sessions started in the range: count, duration, per person")
                .query("from", fromDoc)
                .query("to", toDoc)
                .ok(
                    200,
                    "the statistics. Durations are nearest-rank percentiles from 5%-wide"
                        + " buckets (exact under a minute), null when there was no session."
                        + SUPPRESSION
                        + " Here, when fewer than 10 people were active in the range, every"
                        + " number is null.",
                    Schemas.object(
                        List.of(
                            "count",
                            "medianSeconds",
                            "p90Seconds",
                            "sessionsPerPerson",
                            "suppressed"),
                        "count",
                        nullable("integer", "sessions started in the range"),
                        "medianSeconds",
                        nullable("integer", "median session duration, seconds"),
                        "p90Seconds",
                        nullable("integer", "90th percentile session duration, seconds"),
                        "sessionsPerPerson",
                        nullable("number", "sessions per person active in the range, 2 decimals"),
                        "suppressed",
                        Schemas.bool("true when the numbers are suppressed")))),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.ANALYTICS, true, "analytics");
          Params p = Params.of(ctx, analytics.today(), DEFAULT_DAYS, "from", "to");
          p.check();
          ctx.json(analytics.sessions(p.from, p.to));
        });

    api.get(
        "/v1/analytics/features",
        errors(
            Op.of("analytics", "The most used features: uses, distinct people, uses per day")
                .query("from", fromDoc)
                .query("to", toDoc)
                .query(
                    "limit", "how many features, 1 to " + MAX_LIMIT + "; default: " + DEFAULT_LIMIT)
                .ok(
                    200,
                    "the top features by uses, most used first, among those at least 10 people"
                        + " used in the range: no other feature is named."
                        + SUPPRESSION,
                    Schemas.object(
                        List.of("features"),
                        "features",
                        Schemas.array(
                            Schemas.object(
                                List.of("name", "uses", "people", "suppressed", "daily"),
                                "name",
                                Schemas.string("feature name"),
                                "uses",
                                Schemas.integer("uses in the range"),
                                "people",
                                Schemas.integer(
                                    "distinct people who used it in the range, 10 or more"),
                                "suppressed",
                                Schemas.bool(
                                    "always false: a feature fewer than 10 people used is not"
                                        + " listed"),
                                "daily",
                                Schemas.array(
                                    Schemas.object(
                                        List.of("date", "uses", "suppressed"),
                                        "date",
                                        Schemas.string("YYYY-MM-DD, UTC"),
                                        "uses",
                                        nullable(
                                            "integer",
                                            "uses that day; null if fewer than 10 people used it"
                                                + " that day"),
                                        "suppressed",
                                        Schemas.bool("true when uses is suppressed")))))))),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.ANALYTICS, true, "analytics");
          Params p = Params.of(ctx, analytics.today(), DEFAULT_DAYS, "from", "to", "limit");
          int limit = DEFAULT_LIMIT;
          Optional<String> raw = p.value("limit");
          if (raw.isPresent()) {
            String s = raw.get();
            limit = DIGITS.matcher(s).matches() ? Integer.parseInt(s) : -1;
            if (limit < 1 || limit > MAX_LIMIT) {
              p.v.add("limit", "must be a whole number from 1 to " + MAX_LIMIT);
            }
          }
          p.check();
          ctx.json(analytics.features(p.from, p.to, limit));
        });

    api.get(
        "/v1/analytics/retention",
        errors(
            Op.of("analytics", "Weekly retention of the cohorts of first-time active people")
                .query(
                    "from",
                    "first UTC date, YYYY-MM-DD: cohorts whose week (Monday-based) starts on or"
                        + " after it; default: "
                        + DEFAULT_RETENTION_DAYS
                        + " days up to to")
                .query("to", toDoc.replace("last UTC date", "cohorts whose week starts by it"))
                .query("period", "week (the only period); default: week")
                .ok(
                    200,
                    "one cohort per week starting in the range, up to the current week, oldest"
                        + " first."
                        + SUPPRESSION
                        + " A cohort of fewer than 10 people has size and every retained cell"
                        + " null; otherwise a retained cell under 10 people is null.",
                    Schemas.object(
                        List.of("period", "cohorts"),
                        "period",
                        Schemas.string("week"),
                        "cohorts",
                        Schemas.array(
                            Schemas.object(
                                List.of("start", "size", "suppressed", "retained"),
                                "start",
                                Schemas.string("YYYY-MM-DD, the Monday the cohort's week starts"),
                                "size",
                                nullable("integer", "people whose first active week it is"),
                                "suppressed",
                                Schemas.bool("true when size or any retained cell is null"),
                                "retained",
                                Schemas.array(
                                    nullable(
                                        "integer",
                                        "retained[k]: people of the cohort active k weeks later"
                                            + " (retained[0] = size), up to the current week and"
                                            + " at most "
                                            + UsageAnalytics.MAX_RETENTION_WEEKS
                                            + " weeks later"))))))),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.ANALYTICS, true, "analytics");
          Params p =
              Params.of(ctx, analytics.today(), DEFAULT_RETENTION_DAYS, "from", "to", "period");
          String period = p.value("period").orElse("week");
          if (!period.equals("week")) {
            p.v.add("period", "must be week");
          }
          p.check();
          ctx.json(analytics.retention(p.from, p.to));
        });
  }

  private static Op.Builder errors(Op.Builder op) {
    return op.callers("admin", "service with analytics")
        .error(400, "invalid query parameters, each named in errors")
        .error(401, "no or bad token")
        .error(403, "not an operator, nor a service whose key may claim analytics");
  }

  private static Map<String, Object> nullable(String type, String description) {
    return Map.of("type", List.of(type, "null"), "description", description);
  }

  /** The query parameters of one request: the date range, every other name checked. */
  private static final class Params {
    final Validation v = new Validation();
    private final Map<String, List<String>> query;
    LocalDate from = LocalDate.EPOCH;
    LocalDate to = LocalDate.EPOCH;

    private Params(Map<String, List<String>> query) {
      this.query = query;
    }

    static Params of(Context ctx, LocalDate today, int defaultDays, String... allowed) {
      Params p = new Params(ctx.queryParamMap());
      List<String> names = List.of(allowed);
      p.query.forEach(
          (name, values) -> {
            if (!names.contains(name)) {
              p.v.add(name, "unknown query parameter; allowed: " + String.join(", ", names));
            } else if (values.size() > 1) {
              p.v.add(name, "give it once");
            }
          });
      @Nullable LocalDate to = p.date("to");
      @Nullable LocalDate from = p.date("from");
      boolean toGiven = p.value("to").isPresent();
      if (!toGiven) {
        to = today;
      }
      if (p.value("from").isEmpty() && to != null) {
        from = to.minusDays(defaultDays - 1L);
        if (from.toEpochDay() < 0) {
          from = LocalDate.EPOCH;
        }
      }
      if (from != null && from.toEpochDay() < 0) {
        p.v.add("from", "must be 1970-01-01 or later");
      } else if (from != null && to != null) {
        String field = toGiven ? "to" : "from";
        if (to.isBefore(from)) {
          p.v.add(field, "from must not be after to");
        } else if (to.toEpochDay() - from.toEpochDay() + 1 > UsageAnalytics.MAX_RANGE_DAYS) {
          p.v.add(field, "the range may cover at most " + UsageAnalytics.MAX_RANGE_DAYS + " days");
        }
      }
      if (from != null && to != null) {
        p.from = from;
        p.to = to;
      }
      return p;
    }

    /** The single value of {@code name}, when present. */
    Optional<String> value(String name) {
      List<String> values = query.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private @Nullable LocalDate date(String name) {
      Optional<String> raw = value(name);
      if (raw.isEmpty()) {
        return null;
      }
      if (DATE.matcher(raw.get()).matches()) {
        try {
          return LocalDate.parse(raw.get());
        } catch (DateTimeParseException e) {
          // Falls through: not a real date, e.g. 2025-02-30.
        }
      }
      v.add(name, "must be a UTC date YYYY-MM-DD");
      return null;
    }

    void check() {
      v.throwIfInvalid();
    }
  }
}
