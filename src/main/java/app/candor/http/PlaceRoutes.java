package app.candor.http;

import app.candor.core.auth.Caller;
import app.candor.core.errors.CandorException;
import app.candor.location.Place;
import app.candor.location.PlaceImport;
import app.candor.location.PlaceService;
import java.util.List;
import java.util.Map;

/** Places (not personal data): import, and search nearby. */
public record PlaceRoutes(PlaceService places) implements HttpServer.Module {
  /** Places per import request; the CLI sends larger files in chunks. */
  static final int MAX_PLACES_PER_REQUEST = 10_000;

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> place =
        Schemas.object(
            List.of("name", "category", "lat", "lon"),
            "name",
            Schemas.string("1 to 200 characters"),
            "category",
            Schemas.string("lowercase slug [a-z0-9_-]{1,40}, e.g. city, restaurant, shop"),
            "lat",
            Map.of("type", "number", "description", "latitude, -90 to 90"),
            "lon",
            Map.of("type", "number", "description", "longitude, -180 to 180"));
    api.post(
        "/v1/places",
        Op.of("places", "Import places: JSON, a GeoJSON FeatureCollection, or CSV")
            .callers("admin", "service with location")
            .request(
                Map.of(
                    "description",
                    "application/json {places:[...]} as below; or application/json or"
                        + " application/geo+json with a GeoJSON FeatureCollection of Point"
                        + " features (coordinates [lon, lat], properties name and category);"
                        + " or text/csv with the header name,category,lat,lon. At most "
                        + MAX_PLACES_PER_REQUEST
                        + " places and 1 MB per request. One invalid place rejects the whole"
                        + " request and nothing is stored.",
                    "type",
                    "object",
                    "required",
                    List.of("places"),
                    "properties",
                    Map.of("places", Schemas.array(place))))
            .ok(
                201,
                "all places stored; their ids in the order sent",
                Schemas.object(
                    List.of("imported", "places"),
                    "imported",
                    Schemas.integer("places stored"),
                    "places",
                    Schemas.array(Schemas.string("place id, in the order sent"))))
            .error(400, "malformed body or invalid places; errors names each (places[3].lat)")
            .error(401, "no or bad token")
            .error(403, "a service key without the location purpose, or a user")
            .error(413, "more than 10,000 places or 1 MB")
            .error(415, "not JSON, GeoJSON or CSV"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          places.requireImporter(caller);
          List<Place.Draft> drafts = PlaceImport.parse(ctx.contentType(), ctx.bodyAsBytes());
          if (drafts.size() > MAX_PLACES_PER_REQUEST) {
            throw new CandorException(
                CandorException.Kind.PAYLOAD_TOO_LARGE,
                drafts.size()
                    + " places in one request; send at most "
                    + MAX_PLACES_PER_REQUEST
                    + " per request");
          }
          List<Place> stored = places.importPlaces(caller, drafts);
          ctx.status(201)
              .json(
                  Map.of(
                      "imported",
                      stored.size(),
                      "places",
                      stored.stream().map(Place::id).toList()));
        });

    api.get(
        "/v1/places/nearby",
        Op.of("places", "Places near a point, nearest first, with great-circle distances")
            .callers("admin", "service", "user")
            .query("lat", "required; latitude of the point, -90 to 90")
            .query("lon", "required; longitude of the point, -180 to 180")
            .query("radiusKm", "search radius in km, more than 0, at most 100 (default 5)")
            .query("category", "only places of this category, e.g. restaurant")
            .query("limit", "at most this many places, 1 to 100 (default 20)")
            .ok(
                200,
                "the places within the radius, nearest first",
                Schemas.object(
                    List.of("places"),
                    "places",
                    Schemas.array(
                        Schemas.object(
                            List.of("id", "name", "category", "lat", "lon", "distanceM"),
                            "id",
                            Schemas.string("place id"),
                            "name",
                            Schemas.string("name"),
                            "category",
                            Schemas.string("category"),
                            "lat",
                            Map.of("type", "number", "description", "latitude"),
                            "lon",
                            Map.of("type", "number", "description", "longitude"),
                            "distanceM",
                            Schemas.integer(
                                "great-circle distance in whole metres (haversine, mean Earth"
                                    + " radius 6371.0088 km)")))))
            .error(400, "a missing or invalid parameter; errors names each")
            .error(401, "no or bad token"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          PlaceService.Query query = PlaceService.Query.parse(ctx::queryParam);
          ctx.json(Map.of("places", places.nearby(caller, query)));
        });
  }
}
