package app.candor.http;

import app.candor.core.access.PurposeGate;
import app.candor.core.catalog.Purpose;
import app.candor.core.errors.Validation;
import app.candor.location.PeopleNearby;
import app.candor.location.PositionUpdates;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Position updates, one person's or many people's, and people nearby. */
public record LocationRoutes(
    PurposeGate gate, PositionUpdates updates, PeopleNearby nearby, MeterRegistry metrics)
    implements HttpServer.Module {

  /** The answer of {@code POST /v1/locations}, in this order. */
  record Outcome(
      int stored, int flagged, int droppedNoConsent, List<PositionBodies.Rejected> rejected) {}

  static final double DEFAULT_RADIUS_KM = 5;
  static final int DEFAULT_LIMIT = 20;
  private static final Pattern DECIMAL = Pattern.compile("\\d{1,3}(\\.\\d{1,6})?");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

  @Override
  public void register(Api api, Requests requests) {
    PositionBodies bodies = new PositionBodies(updates);
    var stored = metrics.counter("candor.location.updates", "outcome", "stored");
    var flagged = metrics.counter("candor.location.updates", "outcome", "flagged");
    var dropped = metrics.counter("candor.location.updates", "outcome", "dropped_no_consent");
    var rejected = metrics.counter("candor.location.updates", "outcome", "rejected");
    metrics.gauge("candor.location.backlog", updates, PositionUpdates::backlog);
    Map<String, Object> update = position(false);
    api.post(
        "/v1/users/{id}/locations",
        Op.of("location", "Send position updates (one, or {batch:[...]} of up to 1,000)")
            .callers("the person", "service with location")
            .request(
                Schemas.oneOf(
                    update, Schemas.object(List.of("batch"), "batch", Schemas.array(update))))
            .ok(
                202,
                "stored; at the approximate level only the ~1 km grid square of each position",
                Schemas.object(
                    List.of("stored", "precision", "flagged"),
                    "stored",
                    Schemas.integer("updates stored"),
                    "precision",
                    Schemas.string("precise | approximate: the level of the person's consent"),
                    "flagged",
                    Schemas.integer(
                        "updates flagged as impossible travel (faster than an airliner from the"
                            + " last accepted position): stored, never used for people nearby")))
            .error(400, "a bad field (named in errors, e.g. batch[3].lat); nothing is stored")
            .error(401, "no or bad token")
            .error(403, "no location consent (nothing stored), or the key lacks location")
            .error(404, "no such person (or not yours)")
            .error(413, "more than 1,000 updates")
            .error(503, "the writer is behind; retry after Retry-After seconds (nothing stored)"),
        ctx -> {
          var grant =
              gate.changeCheckedByWriter(
                  requests.signedIn(ctx), Requests.id(ctx), PositionUpdates.UPDATES);
          Requests.requireJson(ctx);
          var positions = bodies.one(Requests.object(ctx));
          // Many thousand a second: the request thread is not held while the updates commit.
          var answer = updates.storeLater(grant, positions);
          ctx.future(
              () ->
                  answer.thenAccept(
                      result -> {
                        stored.increment(result.stored());
                        flagged.increment(result.flagged());
                        ctx.status(202).json(result);
                      }));
        });

    api.post(
        "/v1/locations",
        Op.of("location", "Send many people's position updates at once (up to 1,000)")
            .callers("service with location")
            .request(Schemas.object(List.of("batch"), "batch", Schemas.array(position(true))))
            .ok(
                200,
                "per-update outcome; stored updates are durable, at each person's consent level",
                Schemas.object(
                    List.of("stored", "flagged", "droppedNoConsent", "rejected"),
                    "stored",
                    Schemas.integer("updates stored (flagged ones included)"),
                    "flagged",
                    Schemas.integer(
                        "of them, flagged as impossible travel: stored, never used for people"
                            + " nearby"),
                    "droppedNoConsent",
                    Schemas.integer(
                        "updates of unknown people or people without location consent, not"
                            + " stored"),
                    "rejected",
                    Schemas.rejected()))
            .error(400, "the body is not {batch:[...]}")
            .error(401, "no or bad token")
            .error(403, "not a service key with the location purpose")
            .error(413, "more than 1,000 updates")
            .error(503, "the writer is behind; retry after Retry-After seconds (nothing stored)"),
        ctx -> {
          gate.aggregate(requests.signedIn(ctx), Purpose.LOCATION, false, "many people's updates");
          Requests.requireJson(ctx);
          PositionBodies.Many many = bodies.many(Requests.object(ctx));
          var answer = updates.storeAllLater(many.updates());
          ctx.future(
              () ->
                  answer.thenAccept(
                      counts -> {
                        stored.increment(counts.stored());
                        flagged.increment(counts.flagged());
                        dropped.increment(counts.droppedNoConsent());
                        rejected.increment(many.rejected().size());
                        ctx.json(
                            new Outcome(
                                counts.stored(),
                                counts.flagged(),
                                counts.droppedNoConsent(),
                                many.rejected()));
                      }));
        });

    api.get(
        "/v1/users/{id}/nearby/people",
        Op.of("location", "People nearby the person's current position, as distance bands")
            .callers("the person", "service with nearby_discovery")
            .query(
                "radiusKm",
                "how far to look, km between grid-square centres, over 0 and at most "
                    + PeopleNearby.MAX_RADIUS_KM
                    + "; default 5")
            .query("limit", "at most this many people, 1 to 100; default 20")
            .ok(
                200,
                "people visible to people nearby with a recent position, by distance band, in a"
                    + " shuffle stable per viewer within a band; never coordinates",
                Schemas.object(
                    List.of("people"),
                    "people",
                    Schemas.array(
                        Schemas.object(
                            List.of("userId", "name", "distance"),
                            "userId",
                            Schemas.string("person id"),
                            "name",
                            Schemas.string("their name"),
                            "distance",
                            Schemas.string(
                                "band between the ~1 km grid squares: under 1 km, 1-2 km, 2-5 km,"
                                    + " 5-10 km, 10-20 km, 20-50 km")))))
            .error(400, "bad radiusKm or limit, or an unknown parameter")
            .error(401, "no or bad token")
            .error(
                403,
                "the key lacks nearby_discovery, or the viewer is not visible to people nearby"
                    + " (only those who are may see them)")
            .error(404, "no such person (or not yours)")
            .error(409, "no recent position, or the last one was impossible travel")
            .error(429, "too many queries, or asked from too many places within an hour"),
        ctx -> {
          var caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          Search search = search(ctx);
          double radius = search.radiusKm();
          int limit = search.limit();
          ctx.json(
              Map.of(
                  "people",
                  gate.read(
                      caller,
                      id,
                      Optional.empty(),
                      PeopleNearby.NEARBY,
                      viewer -> nearby.nearby(viewer, radius, limit))));
        });

    api.get(
        "/v1/users/{id}/nearby/friends",
        Op.of("location", "Friends nearby the person's current position, as distance bands")
            .callers("the person", "service with nearby_discovery")
            .query(
                "radiusKm",
                "how far to look, km between grid-square centres, over 0 and at most "
                    + PeopleNearby.MAX_RADIUS_KM
                    + "; default 5")
            .query("limit", "at most this many friends, 1 to 100; default 20")
            .ok(
                200,
                "mutual contacts (each has the other's phone or email in their contact list)"
                    + " visible to friends or to everyone, with a recent position, by distance"
                    + " band; never coordinates",
                Schemas.object(
                    List.of("friends"),
                    "friends",
                    Schemas.array(
                        Schemas.object(
                            List.of("userId", "name", "distance"),
                            "userId",
                            Schemas.string("person id"),
                            "name",
                            Schemas.string("their name"),
                            "distance",
                            Schemas.string(
                                "band between the ~1 km grid squares, as for people nearby")))))
            .error(400, "bad radiusKm or limit, or an unknown parameter")
            .error(401, "no or bad token")
            .error(
                403,
                "the key lacks nearby_discovery, or the viewer is not visible to friends (only"
                    + " those who are may see them)")
            .error(404, "no such person (or not yours)")
            .error(409, "no recent position, or the last one was impossible travel")
            .error(429, "too many queries, or asked from too many places within an hour"),
        ctx -> {
          var caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          Search search = search(ctx);
          double radius = search.radiusKm();
          int limit = search.limit();
          ctx.json(
              Map.of(
                  "friends",
                  gate.read(
                      caller,
                      id,
                      Optional.empty(),
                      PeopleNearby.FRIENDS,
                      viewer -> nearby.friends(viewer, radius, limit))));
        });
  }

  /** A position update's schema; {@code keyed} adds whose it is ({@code POST /v1/locations}). */
  private static Map<String, Object> position(boolean keyed) {
    List<Object> pairs = new java.util.ArrayList<>();
    if (keyed) {
      pairs.addAll(List.of("userId", Schemas.string("person id")));
    }
    pairs.addAll(
        List.of(
            "lat",
            Schemas.number("latitude in degrees, -90 to 90"),
            "lon",
            Schemas.number("longitude in degrees, -180 to 180"),
            "accuracyM",
            Schemas.number("accuracy radius in metres, 0 to 100,000 (optional)"),
            "timestamp",
            Schemas.string(
                "ISO-8601 with offset; not >10 min ahead, not older than the retention (30 days by default)")));
    List<String> required =
        keyed ? List.of("userId", "lat", "lon", "timestamp") : List.of("lat", "lon", "timestamp");
    return Schemas.object(required, pairs.toArray());
  }

  /** A nearby search's query: radiusKm and limit, each checked; any other parameter is a 400. */
  private record Search(double radiusKm, int limit) {}

  private static Search search(Context ctx) {
    Validation v = new Validation();
    ctx.queryParamMap()
        .keySet()
        .forEach(
            k -> {
              if (!k.equals("radiusKm") && !k.equals("limit")) {
                v.add(k, "unknown query parameter; allowed: radiusKm, limit");
              }
            });
    double radius = radius(ctx, v);
    int limit = limit(ctx, v);
    v.throwIfInvalid();
    return new Search(radius, limit);
  }

  private static double radius(Context ctx, Validation v) {
    String raw = ctx.queryParam("radiusKm");
    if (raw == null) {
      return DEFAULT_RADIUS_KM;
    }
    if (!DECIMAL.matcher(raw).matches()) {
      v.add("radiusKm", "must be a number of km such as 5 or 2.5");
      return DEFAULT_RADIUS_KM;
    }
    double r = Double.parseDouble(raw);
    if (r <= 0 || r > PeopleNearby.MAX_RADIUS_KM) {
      v.add("radiusKm", "must be over 0 and at most " + PeopleNearby.MAX_RADIUS_KM);
    }
    return r;
  }

  private static int limit(Context ctx, Validation v) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    if (!DIGITS.matcher(raw).matches()) {
      v.add("limit", "must be a whole number from 1 to " + PeopleNearby.MAX_LIMIT);
      return DEFAULT_LIMIT;
    }
    int n = Integer.parseInt(raw);
    if (n < 1 || n > PeopleNearby.MAX_LIMIT) {
      v.add("limit", "must be from 1 to " + PeopleNearby.MAX_LIMIT);
    }
    return n;
  }
}
