package app.candor.location;

import app.candor.core.catalog.Category;
import app.candor.core.json.Json;
import app.candor.privacy.SubjectData;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.crypto.tink.Aead;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** The location domain's part of privacy requests: current position, history, grid squares. */
public final class LocationData implements SubjectData {

  private final LocationService location;

  public LocationData(LocationService location) {
    this.location = Objects.requireNonNull(location, "location");
  }

  @Override
  public Category category() {
    return Category.LOCATION;
  }

  @Override
  public Set<String> fieldIds() {
    return Set.of(
        "location.current", "location.history", "location.exactPositions", "location.areas");
  }

  /** A stored update as the person sees it: the position at the precision it was taken at. */
  private record Shown(LocationRepository.Point point, double lat, double lon, Double accuracyM) {}

  private List<Shown> shown(String subjectId) {
    LocationService.History history = location.history(subjectId);
    List<Shown> out = new ArrayList<>(history.points().size());
    for (LocationRepository.Point p : history.points()) {
      double lat = Grid.centreLat(p.cell());
      double lon = Grid.centreLon(p.cell());
      Double accuracy = null;
      Optional<Aead> aead = history.aead();
      if (p.positionCt() != null && aead.isPresent()) {
        double[] exact = LocationService.decrypt(aead.get(), subjectId, p.positionCt());
        lat = exact[0];
        lon = exact[1];
        accuracy = Double.isNaN(exact[2]) ? null : exact[2];
      }
      out.add(new Shown(p, lat, lon, accuracy));
    }
    return out;
  }

  @Override
  public List<Held> describe(String subjectId) {
    List<Shown> points = shown(subjectId);
    if (points.isEmpty()) {
      return List.of();
    }
    Optional<Instant> first = Optional.of(Instant.ofEpochMilli(points.get(0).point().at()));
    Optional<Instant> last =
        Optional.of(Instant.ofEpochMilli(points.get(points.size() - 1).point().at()));
    List<Held> out = new ArrayList<>();
    Optional<Integer> cell = location.current(subjectId).map(LocationRepository.Current::cell);
    Shown current = null;
    for (Shown s : points) {
      if (!s.point().flagged()) {
        current = s;
      }
    }
    if (current != null && cell.isPresent()) {
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("precision", current.point().level());
      value.put("lat", current.lat());
      value.put("lon", current.lon());
      if (current.accuracyM() != null) {
        value.put("accuracyM", current.accuracyM());
      }
      value.put(
          "gridSquareCentre",
          Map.of("lat", Grid.centreLat(cell.get()), "lon", Grid.centreLon(cell.get())));
      value.put("at", Instant.ofEpochMilli(current.point().at()));
      out.add(
          Held.value(
              "location.current",
              value,
              Optional.of(Instant.ofEpochMilli(current.point().at())),
              Optional.of(Instant.ofEpochMilli(current.point().at()))));
    }
    out.add(Held.count("location.history", points.size(), first, last));
    List<Shown> exact = points.stream().filter(s -> s.point().positionCt() != null).toList();
    if (!exact.isEmpty()) {
      out.add(
          Held.count(
              "location.exactPositions",
              exact.size(),
              Optional.of(Instant.ofEpochMilli(exact.get(0).point().at())),
              Optional.of(Instant.ofEpochMilli(exact.get(exact.size() - 1).point().at()))));
    }
    out.add(Held.count("location.areas", points.size(), first, last));
    return out;
  }

  @Override
  public List<Table> tables(String subjectId) {
    List<List<String>> rows = new ArrayList<>();
    for (Shown s : shown(subjectId)) {
      rows.add(
          List.of(
              Instant.ofEpochMilli(s.point().at()).toString(),
              Instant.ofEpochMilli(s.point().receivedAt()).toString(),
              s.point().level(),
              Double.toString(s.lat()),
              Double.toString(s.lon()),
              s.accuracyM() == null ? "" : Double.toString(s.accuracyM()),
              Double.toString(Grid.centreLat(s.point().cell())),
              Double.toString(Grid.centreLon(s.point().cell())),
              Boolean.toString(s.point().flagged())));
    }
    if (rows.isEmpty()) {
      return List.of();
    }
    return List.of(
        new Table(
            "location.history",
            "history",
            List.of(
                "at",
                "receivedAt",
                "precision",
                "lat",
                "lon",
                "accuracyM",
                "gridSquareLat",
                "gridSquareLon",
                "flaggedImpossibleTravel"),
            rows));
  }

  /** The history as GeoJSON: one Point feature per update (longitude first, as GeoJSON has it). */
  @Override
  public List<Document> documents(String subjectId) {
    List<Shown> points = shown(subjectId);
    if (points.isEmpty()) {
      return List.of();
    }
    List<Map<String, Object>> features = new ArrayList<>();
    for (Shown s : points) {
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("at", Instant.ofEpochMilli(s.point().at()).toString());
      properties.put("precision", s.point().level());
      if (s.accuracyM() != null) {
        properties.put("accuracyM", s.accuracyM());
      }
      properties.put("flaggedImpossibleTravel", s.point().flagged());
      features.add(
          Map.of(
              "type",
              "Feature",
              "geometry",
              Map.of("type", "Point", "coordinates", List.of(s.lon(), s.lat())),
              "properties",
              properties));
    }
    try {
      return List.of(
          new Document(
              "history.geojson",
              Json.mapper()
                  .writeValueAsBytes(Map.of("type", "FeatureCollection", "features", features))));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public int erase(Handle handle, String subjectId) {
    return location.erase(handle, subjectId);
  }

  @Override
  public long subjectsWithData() {
    return location.database().withHandle(LocationRepository::subjects);
  }
}
