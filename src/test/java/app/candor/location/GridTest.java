package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ~1 km grid: cell sizes from the equator to the poles, centres, bands, the radius walk. */
class GridTest {

  @Test
  void cells_are_about_one_kilometre_square_at_every_latitude() {
    for (double lat : new double[] {0, 30, 48.85, 60, 75, 85}) {
      int cell = Grid.cell(lat, 10);
      int north = Grid.cell(lat + Grid.ROW_DEGREES, 10);
      double height =
          Grid.distanceKm(
              Grid.centreLat(cell),
              Grid.centreLon(cell),
              Grid.centreLat(north),
              Grid.centreLon(cell));
      assertThat(height).as("row height at %s", lat).isCloseTo(1.0, within(0.001));
      // The next column east, at the same row.
      int east = cell + 1;
      double width =
          Grid.distanceKm(
              Grid.centreLat(cell),
              Grid.centreLon(cell),
              Grid.centreLat(east),
              Grid.centreLon(east));
      assertThat(width).as("column width at %s", lat).isBetween(1.0, 1.1);
    }
  }

  @Test
  void a_position_lies_within_its_cell_and_the_centre_is_at_most_a_cell_diagonal_away() {
    Random random = new Random(7);
    for (int i = 0; i < 100_000; i++) {
      double lat = -89.9 + random.nextDouble() * 179.8;
      double lon = -180 + random.nextDouble() * 360;
      int cell = Grid.cell(lat, lon);
      double d = Grid.distanceKm(lat, lon, Grid.centreLat(cell), Grid.centreLon(cell));
      assertThat(d).as("%s,%s", lat, lon).isLessThan(0.78);
      assertThat(Grid.cell(Grid.centreLat(cell), Grid.centreLon(cell))).isEqualTo(cell);
    }
  }

  @Test
  void known_distances_fall_in_the_right_bands() {
    assertThat(Grid.band(0)).isZero();
    assertThat(Grid.bandLabel(Grid.band(999))).isEqualTo("under 1 km");
    assertThat(Grid.bandLabel(Grid.band(1_000))).isEqualTo("1-2 km");
    assertThat(Grid.bandLabel(Grid.band(4_999))).isEqualTo("2-5 km");
    assertThat(Grid.bandLabel(Grid.band(19_000))).isEqualTo("10-20 km");
    assertThat(Grid.bandLabel(Grid.band(49_999))).isEqualTo("20-50 km");
    // Paris - London, about 343.5 km great-circle.
    assertThat(Grid.distanceKm(48.8566, 2.3522, 51.5074, -0.1278)).isCloseTo(343.5, within(1.0));
  }

  @Test
  void the_radius_walk_finds_exactly_the_cells_whose_centres_are_in_reach() {
    for (double[] p :
        new double[][] {
          {48.8566, 2.3522},
          {0.01, 179.999},
          {-33.86, 151.21},
          {78.2, 15.6},
          {89.99, 0},
          {-89.99, 0}
        }) {
      int from = Grid.cell(p[0], p[1]);
      double radiusKm = 5;
      Map<Integer, Integer> walked = new HashMap<>();
      Grid.cellsWithin(from, radiusKm, (cell, band) -> walked.put(cell, band));
      // Brute force over a generous box of rows and columns around the cell.
      Map<Integer, Integer> expected = new HashMap<>();
      int row = Grid.row(from);
      for (int r = Math.max(0, row - 10); r <= Math.min(Grid.ROWS - 1, row + 10); r++) {
        double lat = Grid.centreLat(r << 16);
        for (double lon = -180; lon < 180; lon += 0.004) {
          int cell = Grid.cell(lat, lon);
          long d = Grid.centreDistanceM(from, cell);
          if (d <= radiusKm * 1000) {
            expected.put(cell, Grid.band(d));
          }
        }
      }
      assertThat(walked).as("around %s,%s", p[0], p[1]).isEqualTo(expected);
      assertThat(walked.get(from)).isZero();
    }
  }

  @Test
  void people_across_a_pole_are_in_reach() {
    // About 23 km apart over the North Pole, and 4.4 km over the South Pole.
    int viewer = Grid.cell(89.99, 0);
    int across = Grid.cell(89.8, 180);
    java.util.Set<Integer> found = new java.util.HashSet<>();
    Grid.cellsWithin(viewer, 50, (cell, band) -> found.add(cell));
    assertThat(found).contains(across);
    int south = Grid.cell(-89.99, 0);
    int station = Grid.cell(-89.97, 180);
    found.clear();
    Grid.cellsWithin(south, 5, (cell, band) -> found.add(cell));
    assertThat(found).contains(station);
  }
}
