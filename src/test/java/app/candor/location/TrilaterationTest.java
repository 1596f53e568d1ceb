package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.testing.Http;
import app.candor.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack people-nearby lists are known for (Shi et al.; the MSAG and DAPL attacks on WeChat and
 * Momo): many spoofed viewer positions around a target, each a fresh account so that no rate limit
 * or probing check applies, using only what the API returns, the bands and the order. The attacker
 * here knows exactly how Candor computes bands (grid squares, centre distances) and keeps every
 * point consistent with all answers. What is left is the target's whole grid square: the estimate
 * is no closer than the grid allows, and the target can move anywhere in the square without any
 * answer changing.
 */
class TrilaterationTest {
  private static final double TARGET_LAT = 48.8566;
  private static final double TARGET_LON = 2.3522;

  @TempDir Path dir;

  private record Observation(double lat, double lon, String band, int rank) {}

  @Test
  void spoofed_viewers_locate_a_target_no_better_than_its_grid_square() {
    try (TestServer server = TestServer.sqlite(dir)) {
      Http http = server.http();
      String accounts = server.service("accounts", "account");
      String maps = server.service("maps", "location");
      String nearby = server.service("nearby", "nearby_discovery");

      // The target sits near one corner of its grid square.
      int cell = Grid.cell(TARGET_LAT, TARGET_LON);
      double[] corner = corner(cell, 0.1);
      String target = person(server, http, accounts, true);
      Instant start = Instant.now().minusSeconds(1200);
      move(http, maps, target, corner[0], corner[1], start);
      // Reference people at known places, for order-based attacks.
      List<String> references = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String r = person(server, http, accounts, true);
        move(http, maps, r, TARGET_LAT + 0.004 * i, TARGET_LON - 0.003 * i, start);
        references.add(r);
      }

      // 81 spoofed viewers on a 750 m lattice, 3 km around (all of them and the target fit in one
      // list of 100, since viewers must be visible themselves).
      List<String> viewers = new ArrayList<>();
      List<double[]> positions = new ArrayList<>();
      for (int i = -4; i <= 4; i++) {
        for (int j = -4; j <= 4; j++) {
          double lat = TARGET_LAT + i * 0.75 / Grid.KM_PER_DEGREE;
          double lon =
              TARGET_LON + j * 0.75 / (Grid.KM_PER_DEGREE * Math.cos(Math.toRadians(TARGET_LAT)));
          // Visible themselves: only those visible to people nearby may see them.
          String v = person(server, http, accounts, true);
          move(http, maps, v, lat, lon, Instant.now());
          viewers.add(v);
          positions.add(new double[] {lat, lon});
        }
      }
      List<Observation> first = observe(http, nearby, viewers, positions, target);
      assertThat(first).hasSize(viewers.size());

      // The attacker's best: every point consistent with every band seen (50 m lattice).
      List<double[]> consistent = new ArrayList<>();
      double step = 0.05 / Grid.KM_PER_DEGREE;
      for (double lat = TARGET_LAT - 0.035; lat <= TARGET_LAT + 0.035; lat += step) {
        for (double lon = TARGET_LON - 0.05; lon <= TARGET_LON + 0.05; lon += step) {
          if (consistentWith(first, lat, lon)) {
            consistent.add(new double[] {lat, lon});
          }
        }
      }
      assertThat(consistent).as("the true position is consistent").isNotEmpty();
      double estimateLat = consistent.stream().mapToDouble(p -> p[0]).average().orElseThrow();
      double estimateLon = consistent.stream().mapToDouble(p -> p[1]).average().orElseThrow();
      double errorKm = Grid.distanceKm(estimateLat, estimateLon, corner[0], corner[1]);
      double spreadKm = 0;
      for (double[] p : consistent) {
        spreadKm = Math.max(spreadKm, Grid.distanceKm(p[0], p[1], corner[0], corner[1]));
      }
      // Every point of the target's square is still possible, so the region left is at least
      // the square (about 1 km across), and the estimate is off by about the corner's distance
      // from the square's centre.
      for (double[] p : new double[][] {corner(cell, 0.1), corner(cell, 0.9), centre(cell)}) {
        assertThat(consistentWith(first, p[0], p[1])).as("a point of the square").isTrue();
      }
      assertThat(spreadKm).isGreaterThan(0.9);
      double cornerToCentre =
          Grid.distanceKm(corner[0], corner[1], Grid.centreLat(cell), Grid.centreLon(cell));
      assertThat(errorKm).isGreaterThan(0.8 * cornerToCentre).isGreaterThan(0.4);

      // The target walks to the opposite corner of the same square (plausibly, minutes later):
      // every viewer sees exactly the same answer, band and order, as before.
      double[] opposite = corner(cell, 0.9);
      move(http, maps, target, opposite[0], opposite[1], start.plusSeconds(600));
      assertThat(Grid.distanceKm(corner[0], corner[1], opposite[0], opposite[1]))
          .isGreaterThan(0.9);
      List<Observation> second = observe(http, nearby, viewers, positions, target);
      assertThat(second).isEqualTo(first);
    }
  }

  /** A point of the cell, a fraction of the way from its south-west to its north-east corner. */
  private static double[] corner(int cell, double fraction) {
    double south = Grid.centreLat(cell) - Grid.ROW_DEGREES / 2;
    double width = Grid.centreLon(cell + 1) - Grid.centreLon(cell);
    double west = Grid.centreLon(cell) - width / 2;
    return new double[] {south + fraction * Grid.ROW_DEGREES, west + fraction * width};
  }

  private static double[] centre(int cell) {
    return new double[] {Grid.centreLat(cell), Grid.centreLon(cell)};
  }

  /** Whether a target at (lat, lon) would have produced every band observed. */
  private static boolean consistentWith(List<Observation> observations, double lat, double lon) {
    int candidate = Grid.cell(lat, lon);
    for (Observation o : observations) {
      long d = Grid.centreDistanceM(Grid.cell(o.lat(), o.lon()), candidate);
      if (!Grid.bandLabel(Grid.band(d)).equals(o.band())) {
        return false;
      }
    }
    return true;
  }

  private static List<Observation> observe(
      Http http, String nearby, List<String> viewers, List<double[]> positions, String target) {
    List<Observation> out = new ArrayList<>();
    for (int i = 0; i < viewers.size(); i++) {
      Http.Response r =
          http.get("/v1/users/" + viewers.get(i) + "/nearby/people?radiusKm=10&limit=100", nearby);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      JsonNode people = r.json().get("people");
      for (int k = 0; k < people.size(); k++) {
        JsonNode p = people.get(k);
        assertThat(p.has("lat") || p.has("lon") || p.has("distanceM")).isFalse();
        if (p.get("userId").asText().equals(target)) {
          out.add(
              new Observation(
                  positions.get(i)[0], positions.get(i)[1], p.get("distance").asText(), k));
        }
      }
    }
    return out;
  }

  private static String person(TestServer server, Http http, String accounts, boolean visible) {
    String id = server.person(accounts);
    put(http, accounts, id, "location", "{\"granted\":true,\"level\":\"precise\"}");
    if (visible) {
      put(http, accounts, id, "nearby_discovery", "{\"granted\":true}");
    }
    return id;
  }

  private static void put(Http http, String key, String id, String purpose, String body) {
    Http.Response r = http.put("/v1/users/" + id + "/consents/" + purpose, key, body);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  private static void move(Http http, String maps, String id, double lat, double lon, Instant at) {
    Http.Response r =
        http.post(
            "/v1/users/" + id + "/locations",
            maps,
            String.format(
                Locale.ROOT, "{\"lat\":%.7f,\"lon\":%.7f,\"timestamp\":\"%s\"}", lat, lon, at));
    assertThat(r.status()).as("%s", r).isEqualTo(202);
    assertThat(r.json().get("flagged").asInt()).isZero();
  }
}
