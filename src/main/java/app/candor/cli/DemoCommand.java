package app.candor.cli;

import app.candor.Candor;
import app.candor.CommandServices;
import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts Candor with the demo data set in its own data directory ({@code ./candor-demo-data} unless
 * {@code --data-dir} or {@code CANDOR_DATA_DIR} says otherwise) and prints where to go, the admin
 * token and the demo services' keys (re-issued at every demo start).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Start Candor with demo services and people, and print the URLs and keys.")
final class DemoCommand implements Callable<Integer> {
  @Mixin Options options = new Options();

  @Option(names = "--people", description = "how many demo people (default ${DEFAULT-VALUE})")
  int people = 300;

  @Override
  public Integer call() throws InterruptedException {
    if (options.dataDir == null && Options.env("CANDOR_DATA_DIR").isEmpty()) {
      options.dataDir = Path.of("candor-demo-data");
    }
    Candor candor;
    try {
      Config config = options.config(System.getenv());
      if (config.adminToken().isEmpty()) {
        // A demo prints a usable admin token every time it starts.
        java.nio.file.Files.deleteIfExists(config.dataDir().resolve("admin-token.sha256"));
      }
      candor = Candor.withOutbox(config);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("cannot prepare the demo data directory: " + e.getMessage());
      return 2;
    }
    CommandServices.Demo demo = candor.demo();
    CommandServices.Banner banner = candor.banner();
    int created = DemoData.people(demo, people, 42);
    int events = created > 0 ? DemoData.usage(demo, 60, 42) : 0;
    int positioned = created > 0 ? DemoData.locations(demo, 42) : 0;
    int transfers = created > 0 ? DemoData.payments(demo, 42) : 0;
    int messages = created > 0 ? DemoData.messages(demo, 42) : 0;
    Map<String, String> keys = DemoData.services(demo);
    // The demo people appear on the transparency page at once, not at the next minute's count.
    demo.transparency().refresh();
    String placesLoaded;
    try {
      DemoPlaces.Loaded loaded = DemoPlaces.load(demo.places(), System.getenv(), 42);
      placesLoaded = String.format("%,d places: %s", loaded.places(), loaded.description());
    } catch (java.io.IOException | RuntimeException e) {
      placesLoaded = "no places (" + e.getMessage() + ")";
    }
    String placesLine = placesLoaded;
    ServeCommand.runUntilStopped(
        candor,
        () -> {
          Banner.print(banner, true);
          System.out.println(
              "Demo data: "
                  + (created > 0
                      ? created
                          + " people, "
                          + events
                          + " usage events (60 days), "
                          + positioned
                          + " positions in Paris and "
                          + transfers
                          + " payments and "
                          + messages
                          + " messages created"
                      : "people and usage from an earlier run")
                  + " in "
                  + banner.config().dataDir().toAbsolutePath());
          System.out.println("Demo places: " + placesLine);
          System.out.println("Demo service keys (re-issued at every demo start):");
          keys.forEach(
              (name, key) ->
                  System.out.printf(
                      "  %-5s %s  purposes: %s%n",
                      name,
                      key,
                      String.join(
                          ", ", DemoData.SERVICES.get(name).stream().map(p -> p.id()).toList())));
          String base = "http://localhost:" + banner.config().port();
          java.util.List<String> sample = demo.people().sampleIds(3);
          System.out.println("Some demo people: " + String.join(", ", sample));
          System.out.println("\nTry:");
          System.out.println("  curl " + base + "/v1/transparency");
          System.out.println(
              "  curl -H 'Authorization: Bearer "
                  + keys.get("chat")
                  + "' -H 'Candor-Purpose: messaging' "
                  + base
                  + "/v1/users/"
                  + (sample.isEmpty() ? "<id>" : sample.get(0)));
          System.out.println(
              "  curl -H 'Authorization: Bearer "
                  + keys.get("maps")
                  + "' '"
                  + base
                  + "/v1/places/nearby?lat=48.8566&lon=2.3522&radiusKm=10&category=restaurant'");
          demo.location()
              .someone()
              .ifPresent(
                  viewer ->
                      System.out.println(
                          "  curl -H 'Authorization: Bearer "
                              + keys.get("maps")
                              + "' '"
                              + base
                              + "/v1/users/"
                              + viewer
                              + "/nearby/people?radiusKm=5&limit=20'"));
        });
    return 0;
  }
}
