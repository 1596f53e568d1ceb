package app.candor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.location.Place;
import app.candor.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code candor places import} and the demo's places. */
class PlacesCommandTest {
  @TempDir Path dir;

  @Test
  void places_import_sends_a_csv_file_in_chunks_to_a_running_server() throws Exception {
    try (TestServer server = TestServer.sqlite(dir.resolve("data"))) {
      StringBuilder csv = new StringBuilder("name,category,lat,lon\n");
      for (int i = 0; i < 250; i++) {
        csv.append("Shop ").append(i).append(",shop,").append(i * 0.1 - 12).append(",3.5\n");
      }
      Path file = dir.resolve("shops.csv");
      Files.writeString(file, csv);

      int code =
          new CommandLine(new CandorCommand())
              .execute(
                  "places",
                  "import",
                  file.toString(),
                  "--url",
                  "http://localhost:" + server.port(),
                  "--token",
                  TestServer.ADMIN_TOKEN,
                  "--chunk",
                  "100");

      assertThat(code).isZero();
      assertThat(server.candor().places().count()).isEqualTo(250);
    }
  }

  @Test
  void places_import_refuses_an_invalid_file_and_a_wrong_token_without_storing() throws Exception {
    try (TestServer server = TestServer.sqlite(dir.resolve("data"))) {
      Path bad = dir.resolve("bad.csv");
      Files.writeString(bad, "name,category,lat,lon\nA,shop,95,1\n");
      Path good = dir.resolve("good.geojson");
      Files.writeString(
          good,
          "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
              + "{\"type\":\"Point\",\"coordinates\":[1,2]},\"properties\":{\"name\":\"G\","
              + "\"category\":\"shop\"}}]}");
      String url = "http://localhost:" + server.port();
      CommandLine cli = new CommandLine(new CandorCommand());

      assertThat(cli.execute("places", "import", bad.toString(), "--url", url, "--token", "x"))
          .isEqualTo(1);
      assertThat(cli.execute("places", "import", good.toString(), "--url", url, "--token", "x"))
          .isEqualTo(1);
      assertThat(server.candor().places().count()).isZero();
    }
  }

  @Test
  void the_progress_bar_shows_counts_and_percent() {
    assertThat(PlacesCommand.Import.bar(52_000, 135_233))
        .isEqualTo("[###########...................] 52,000/135,233 places  38%");
    assertThat(PlacesCommand.Import.bar(0, 0)).endsWith("0/0 places  100%");
  }

  @Test
  void the_demo_falls_back_to_the_bundled_cities_and_puts_restaurants_around_them()
      throws Exception {
    try (Candor candor = Candor.open(Config.forDataDir(dir))) {
      Map<String, String> env = Map.of("CANDOR_PLACES_FILE", dir.resolve("absent.pbf").toString());
      // Only when the fetched file is also absent (running from a checkout without it).
      if (DemoPlaces.citiesFile(env).isEmpty()) {
        DemoPlaces.Loaded loaded = DemoPlaces.load(candor.places(), env, 42);
        assertThat(loaded.description()).contains("bundled sample");
      }
      List<Place.Draft> sample = DemoPlaces.sample();
      assertThat(sample).hasSize(300).extracting(Place.Draft::name).contains("Paris", "London");

      List<DemoPlaces.Town> towns =
          sample.stream()
              .map(d -> new DemoPlaces.Town(d.name(), d.lat(), d.lon(), 1_000_000))
              .toList();
      assertThat(DemoPlaces.around(towns, 42)).isEqualTo(DemoPlaces.around(towns, 42));
      assertThat(DemoPlaces.around(towns, 42))
          .hasSize(300 * 18)
          .extracting(Place.Draft::category)
          .contains("restaurant", "shop", "cafe");
      if (candor.places().count() == 0) {
        candor.places().importPlaces(new app.candor.core.auth.Caller.Admin(), sample);
        candor
            .places()
            .importPlaces(new app.candor.core.auth.Caller.Admin(), DemoPlaces.around(towns, 42));
      }
      var restaurants =
          candor
              .places()
              .nearby(
                  new app.candor.core.auth.Caller.Admin(),
                  new app.candor.location.PlaceService.Query(
                      48.8566, 2.3522, 10, Optional.of("restaurant"), 20));
      assertThat(restaurants).isNotEmpty().allMatch(p -> p.name().endsWith("Paris"));
      assertThat(DemoPlaces.load(candor.places(), env, 42).description()).contains("earlier run");
    }
  }
}
