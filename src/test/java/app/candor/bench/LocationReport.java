package app.candor.bench;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The Markdown of {@link LocationHttpBench}: one table per system, then the like-for-like one. */
final class LocationReport {
  private LocationReport() {}

  private static final String HEAD =
      "| mode | one request, and what its answer waits for | answers/s | items/s | p50 | p99 |"
          + " p99.9 | failures | server CPU | client CPU |\n|---|---|---|---|---|---|---|---|---|---|\n";

  static String candor(CandorLocationRun.Outcome o, LocationHttpBench.Settings s) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Candor over HTTP, ").append(o.engine()).append("\n\n").append(HEAD);
    Map<String, LoopClient.Result> r = o.results();
    row(
        sb,
        "updates",
        "`POST /v1/users/{id}/locations`, one update; 202 once its transaction is durable",
        r.get("updates"));
    row(
        sb,
        "updates at half load",
        String.format(
            Locale.ROOT,
            "updates as above, alone, paced at %,.0f/s (half the rate above), latency from when due",
            o.halfRate()),
        r.get("paced-updates"));
    row(
        sb,
        "nearby",
        "`GET /v1/users/{id}/nearby/people?radiusKm=5&limit=20`, recency on; 200 once the access-log"
            + " entries (the viewer's, and the people shown) are durable; items: people found",
        r.get("nearby"));
    if (o.batchAbsent().isPresent()) {
      sb.append("| batch | `POST /v1/locations`, ")
          .append(s.batch())
          .append(" updates | not measured: ")
          .append(o.batchAbsent().get())
          .append(" | | | | | | | |\n");
    } else {
      row(
          sb,
          "batch",
          "`POST /v1/locations`, " + s.batch() + " updates of random people; items: stored",
          r.get("batch"));
    }
    row(
        sb,
        "events (reference)",
        "`POST /v1/events`, " + s.batch() + " events; 200 once durable; items: accepted",
        r.get("events"));
    row(
        sb,
        "nearby during updates",
        String.format(
            Locale.ROOT, "nearby as above while updates are paced at %,.0f/s", o.halfRate()),
        r.get("mixed-nearby"));
    row(
        sb,
        "updates during queries",
        String.format(
            Locale.ROOT,
            "updates paced at %,.0f/s while the queries above run, latency from when due",
            o.halfRate()),
        r.get("mixed-updates"));
    return sb.append('\n').append(o.stored()).append(".\n\n").toString();
  }

  static String redis(RedisGeoRun.Outcome o, LocationHttpBench.Settings s) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Redis ")
        .append(o.version())
        .append(", the local server, as configured: ")
        .append(o.persistence())
        .append(" (a reply does not wait for the disk)\n\n")
        .append(HEAD);
    rows(sb, o.asConfigured(), s);
    sb.append("\n### Redis ")
        .append(o.version())
        .append(": ")
        .append(o.durableNote())
        .append(" (each reply after its write is fsynced)\n\n");
    if (!o.durable().isEmpty()) {
      sb.append(HEAD);
      rows(sb, o.durable(), s);
    }
    return sb.append('\n').toString();
  }

  private static void rows(
      StringBuilder sb, Map<String, LoopClient.Result> r, LocationHttpBench.Settings s) {
    row(sb, "updates", "`GEOADD key lon lat member`", r.get("updates"));
    row(
        sb,
        "updates at half load",
        "GEOADD alone, paced at half the rate above",
        r.get("paced-updates"));
    row(
        sb,
        "batch",
        "`GEOADD key` with " + s.batch() + " (lon lat member) of random people; items: updates",
        r.get("batch"));
    if (r.containsKey("nearby")) {
      row(
          sb,
          "nearby",
          "`GEOSEARCH key FROMMEMBER m BYRADIUS 5 km ASC COUNT 21`; items: people found, the"
              + " viewer not counted",
          r.get("nearby"));
    }
    row(
        sb,
        "nearby during updates",
        "GEOSEARCH while GEOADD is paced at half load",
        r.get("mixed-nearby"));
    row(
        sb,
        "updates during queries",
        "GEOADD paced at half the rate above while the searches run",
        r.get("mixed-updates"));
  }

  private static void row(StringBuilder sb, String mode, String what, LoopClient.Result r) {
    if (r == null) {
      return;
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %,.0f | %,.0f | %.2f ms | %.2f ms | %.2f ms | %s | %s | %s |%n",
            mode,
            what,
            r.okPerSecond(),
            r.countedPerSecond(),
            r.p50(),
            r.p99(),
            r.p999(),
            r.failureText(),
            percent(r.cpu(), 0),
            percent(r.cpu(), 1)));
  }

  private static String percent(double[] cpu, int i) {
    return cpu.length > i && cpu[i] >= 0 ? String.format(Locale.ROOT, "%.0f%%", cpu[i] * 100) : "?";
  }

  /** Like for like: the same work, client and connections; Candor over each Redis setting. */
  static String summary(
      CandorLocationRun.Outcome sqlite,
      Optional<CandorLocationRun.Outcome> pg,
      Optional<RedisGeoRun.Outcome> redis,
      LocationHttpBench.Settings s) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Like for like: ")
        .append(s.connections())
        .append(" connections each, same client, same people and positions\n\n")
        .append(
            "| work | Candor, SQLite | Candor, PostgreSQL | Redis, fsync always | Redis, as"
                + " configured | SQLite / Redis fsync always | SQLite / Redis as configured |\n")
        .append("|---|---|---|---|---|---|---|\n");
    line(sb, "position updates/s, one per request (p99)", "updates", false, sqlite, pg, redis);
    line(
        sb,
        "position updates/s, " + s.batch() + " per request (p99)",
        "batch",
        true,
        sqlite,
        pg,
        redis);
    line(sb, "people-nearby queries/s (p99)", "nearby", false, sqlite, pg, redis);
    line(
        sb,
        "queries/s while updates run at half load (p99)",
        "mixed-nearby",
        false,
        sqlite,
        pg,
        redis);
    line(sb, "updates paced at half load, alone", "paced-updates", false, sqlite, pg, redis);
    line(
        sb,
        "updates paced at half load while the queries run",
        "mixed-updates",
        false,
        sqlite,
        pg,
        redis);
    sb.append(
        String.format(
            Locale.ROOT,
            "| reference: usage events/s, `POST /v1/events` by %d | %s | %s | | | | |%n",
            s.batch(),
            figure(sqlite.results(), "events", true),
            pg.map(p -> figure(p.results(), "events", true)).orElse("-")));
    return sb.append('\n').toString();
  }

  private static void line(
      StringBuilder sb,
      String label,
      String mode,
      boolean items,
      CandorLocationRun.Outcome sqlite,
      Optional<CandorLocationRun.Outcome> pg,
      Optional<RedisGeoRun.Outcome> redis) {
    Map<String, LoopClient.Result> c = sqlite.results();
    Map<String, LoopClient.Result> always = redis.map(r -> r.durable()).orElse(Map.of());
    Map<String, LoopClient.Result> configured = redis.map(r -> r.asConfigured()).orElse(Map.of());
    if (!always.containsKey(mode) && mode.contains("nearby")) {
      // Searches write nothing: fsync does not apply to them.
      always = configured;
    }
    sb.append(
        String.format(
            "| %s | %s | %s | %s | %s | %s | %s |%n",
            label,
            figure(c, mode, items),
            pg.map(p -> figure(p.results(), mode, items)).orElse("-"),
            figure(always, mode, items),
            figure(configured, mode, items),
            ratio(c, always, mode, items),
            ratio(c, configured, mode, items)));
  }

  /** Paced modes run at half of the closed-loop update rate of the same system. */
  private static boolean paced(String mode) {
    return mode.endsWith("-updates");
  }

  private static double target(Map<String, LoopClient.Result> results) {
    return results.get("updates").okPerSecond() / 2;
  }

  /** A paced run that delivered less than 95% of its rate was overloaded: no p99 to compare. */
  private static boolean behind(Map<String, LoopClient.Result> results, String mode) {
    return paced(mode) && results.get(mode).okPerSecond() < 0.95 * target(results);
  }

  private static String figure(Map<String, LoopClient.Result> results, String mode, boolean items) {
    LoopClient.Result r = results.get(mode);
    if (r == null) {
      return "-";
    }
    if (paced(mode)) {
      return String.format(
          Locale.ROOT,
          "%,.0f of %,.0f/s, p99 %.1f ms%s",
          r.okPerSecond(),
          target(results),
          r.p99(),
          behind(results, mode) ? " (fell behind)" : "");
    }
    return String.format(
        Locale.ROOT, "%,.0f (%.1f ms)", items ? r.countedPerSecond() : r.okPerSecond(), r.p99());
  }

  private static String ratio(
      Map<String, LoopClient.Result> candor,
      Map<String, LoopClient.Result> ref,
      String mode,
      boolean items) {
    LoopClient.Result c = candor.get(mode);
    LoopClient.Result r = ref.get(mode);
    if (c == null || r == null) {
      return "-";
    }
    if (paced(mode)) {
      if (behind(candor, mode) || behind(ref, mode)) {
        return "none: a side fell behind its rate";
      }
      return String.format(
          Locale.ROOT,
          "rate %.3fx, p99 %.1fx",
          c.okPerSecond() / r.okPerSecond(),
          c.p99() / r.p99());
    }
    double a = items ? c.countedPerSecond() : c.okPerSecond();
    double b = items ? r.countedPerSecond() : r.okPerSecond();
    return String.format(Locale.ROOT, "%.3fx", a / b);
  }
}
