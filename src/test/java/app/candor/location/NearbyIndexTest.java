package app.candor.location;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The in-memory index: bands in order, a stable shuffle per viewer, limits, flags, visibility. */
class NearbyIndexTest {
  private static final double LAT = 48.8566;
  private static final double LON = 2.3522;
  private static final long T = 1_800_000_000_000L;

  private static String id() {
    return UUID.randomUUID().toString();
  }

  @Test
  void people_come_by_band_in_a_shuffle_that_is_stable_for_a_viewer_and_differs_between_viewers() {
    NearbyIndex index = new NearbyIndex();
    String viewer = id();
    String other = id();
    index.update(viewer, LAT, LON, T, true);
    index.update(other, LAT, LON, T, true);
    List<String> here = new ArrayList<>();
    List<String> threeKmNorth = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String a = id();
      index.update(a, LAT, LON, T, true);
      here.add(a);
      String b = id();
      index.update(b, LAT + 3 * Grid.ROW_DEGREES, LON, T, true);
      threeKmNorth.add(b);
    }
    NearbyIndex.Answer answer = index.nearby(viewer, 5, 100, T - 1);
    List<String> ids = answer.hits().stream().map(NearbyIndex.Hit::subjectId).toList();
    assertThat(ids).doesNotContain(viewer).hasSize(61);
    assertThat(answer.hits().subList(0, 31)).allMatch(h -> h.band() == 0);
    assertThat(answer.hits().subList(31, 61)).allMatch(h -> h.band() == 2);
    assertThat(ids.subList(31, 61)).containsExactlyInAnyOrderElementsOf(threeKmNorth);

    // Stable for the viewer, a different order for another viewer.
    assertThat(index.nearby(viewer, 5, 100, T - 1).hits()).isEqualTo(answer.hits());
    List<String> seenByOther =
        index.nearby(other, 5, 100, T - 1).hits().stream()
            .map(NearbyIndex.Hit::subjectId)
            .filter(here::contains)
            .toList();
    assertThat(seenByOther).isNotEqualTo(ids.stream().filter(here::contains).toList());

    // The limit keeps the first band first: ten of the nearest, the same ten as the full list.
    assertThat(index.nearby(viewer, 5, 10, T - 1).hits()).isEqualTo(answer.hits().subList(0, 10));
  }

  @Test
  void invisible_stale_and_flagged_people_are_never_listed() {
    NearbyIndex index = new NearbyIndex();
    String viewer = id();
    String hidden = id();
    String stale = id();
    String teleporter = id();
    String shown = id();
    index.update(viewer, LAT, LON, T, false);
    index.update(hidden, LAT, LON, T, false);
    index.update(stale, LAT, LON, T - 3_600_001, true);
    index.update(teleporter, LAT, LON, T - 60_000, true);
    // Paris to New York in a minute.
    assertThat(index.update(teleporter, 40.7128, -74.0060, T, true))
        .isEqualTo(NearbyIndex.Update.FLAGGED);
    index.update(shown, LAT, LON, T, true);
    assertThat(index.nearby(viewer, 5, 20, T - 3_600_000).hits())
        .extracting(NearbyIndex.Hit::subjectId)
        .containsExactly(shown);
    // A flagged viewer is refused.
    assertThat(index.nearby(teleporter, 5, 20, T - 3_600_000).refusal())
        .contains(NearbyIndex.Refusal.IMPLAUSIBLE_POSITION);
    // Once a plausible update comes (a flight's worth of time later), the person is back.
    assertThat(index.update(teleporter, 40.7128, -74.0060, T + 8 * 3_600_000, true))
        .isEqualTo(NearbyIndex.Update.CURRENT);
    index.visible(shown, false);
    index.remove(hidden);
    assertThat(index.nearby(viewer, 5, 20, T - 3_600_000).hits()).isEmpty();
  }

  @Test
  void a_walk_across_town_is_plausible_and_an_older_update_changes_nothing() {
    NearbyIndex index = new NearbyIndex();
    String walker = id();
    index.update(walker, LAT, LON, T, true);
    assertThat(index.update(walker, LAT + 0.05, LON, T + 3_600_000, true))
        .isEqualTo(NearbyIndex.Update.CURRENT);
    assertThat(index.update(walker, LAT, LON, T + 60_000, true))
        .isEqualTo(NearbyIndex.Update.OLDER);
    assertThat(index.cellOf(walker)).contains(Grid.cell(LAT + 0.05, LON));
  }

  @Test
  void many_people_moving_at_random_stay_in_exactly_one_bucket_each() {
    NearbyIndex index = new NearbyIndex();
    Random random = new Random(3);
    List<String> people = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      people.add(id());
    }
    long t = T;
    for (int step = 0; step < 50_000; step++) {
      String p = people.get(random.nextInt(people.size()));
      t += 60_000;
      index.update(
          p, LAT + random.nextGaussian() * 0.02, LON + random.nextGaussian() * 0.02, t, true);
      if (random.nextInt(100) == 0) {
        index.remove(people.get(random.nextInt(people.size())));
      }
    }
    String viewer = people.get(0);
    index.update(viewer, LAT, LON, t + 60_000, true);
    List<NearbyIndex.Hit> all = index.nearby(viewer, 50, 100_000, 0).hits();
    assertThat(all.stream().map(NearbyIndex.Hit::subjectId).distinct().count())
        .isEqualTo(all.size());
    assertThat(all.size()).isEqualTo(index.size() - 1);
  }

  @Test
  void concurrent_updates_removals_and_queries_list_exactly_the_visible_plausible_people()
      throws Exception {
    NearbyIndex index = new NearbyIndex();
    int threads = 4;
    List<List<String>> owned = new ArrayList<>();
    // What each person should be, as each owning thread saw it: {exists, visible, flagged, and
    // whether the last accepted position is near Paris rather than across the world}.
    List<java.util.Map<String, boolean[]>> models = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        mine.add(id());
      }
      owned.add(mine);
      models.add(new java.util.HashMap<>());
    }
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      // Each thread owns its people, as the service serializes a person's updates.
      List<String> mine = owned.get(t);
      java.util.Map<String, boolean[]> model = models.get(t);
      int seed = t;
      workers.add(
          new Thread(
              () -> {
                Random random = new Random(seed);
                long at = T;
                try {
                  for (int step = 0; step < 100_000; step++) {
                    String p = mine.get(random.nextInt(mine.size()));
                    at += 1_000;
                    boolean visible = random.nextInt(10) != 0;
                    // Now and then a jump across the world: impossible travel, flagged.
                    double lat =
                        random.nextInt(500) == 0 ? -LAT : LAT + random.nextGaussian() * 0.01;
                    NearbyIndex.Update u =
                        index.update(p, lat, LON + random.nextGaussian() * 0.01, at, visible);
                    boolean[] m = model.computeIfAbsent(p, k -> new boolean[4]);
                    if (u == NearbyIndex.Update.CURRENT) {
                      m[0] = true;
                      m[1] = visible;
                      m[2] = false;
                      m[3] = lat > 0;
                    } else if (u == NearbyIndex.Update.FLAGGED) {
                      m[2] = true;
                    }
                    if (random.nextInt(200) == 0) {
                      String gone = mine.get(random.nextInt(mine.size()));
                      index.remove(gone);
                      model.put(gone, new boolean[4]);
                    }
                    if (random.nextInt(300) == 0) {
                      String who = mine.get(random.nextInt(mine.size()));
                      boolean v = random.nextBoolean();
                      index.visible(who, v);
                      boolean[] w = model.computeIfAbsent(who, k -> new boolean[4]);
                      if (w[0]) {
                        w[1] = v;
                      }
                    }
                  }
                } catch (Throwable e) {
                  failure.set(e);
                }
              }));
    }
    Thread reader =
        new Thread(
            () -> {
              Random random = new Random(99);
              try {
                while (!stop.get()) {
                  List<String> some = owned.get(random.nextInt(threads));
                  NearbyIndex.Answer a =
                      index.nearby(some.get(random.nextInt(some.size())), 5, 50, 0);
                  assertThat(a.hits().stream().map(NearbyIndex.Hit::subjectId).distinct().count())
                      .isEqualTo(a.hits().size());
                }
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    reader.start();
    workers.forEach(Thread::start);
    for (Thread w : workers) {
      w.join();
    }
    stop.set(true);
    reader.join();
    assertThat(failure.get()).isNull();

    java.util.Set<String> expected = new java.util.HashSet<>();
    for (java.util.Map<String, boolean[]> model : models) {
      model.forEach(
          (p, m) -> {
            if (m[0] && m[1] && !m[2] && m[3]) {
              expected.add(p);
            }
          });
    }
    String viewer = id();
    index.update(viewer, LAT, LON, T + 1_000L * 200_000, false);
    List<String> listed =
        index.nearby(viewer, 50, 100_000, 0).hits().stream()
            .map(NearbyIndex.Hit::subjectId)
            .toList();
    assertThat(listed).doesNotHaveDuplicates();
    java.util.Set<String> missing = new java.util.HashSet<>(expected);
    listed.forEach(missing::remove);
    java.util.Set<String> extra = new java.util.HashSet<>(listed);
    extra.removeAll(expected);
    assertThat(missing).as("expected but not listed (%d listed)", listed.size()).isEmpty();
    String sample = extra.isEmpty() ? "" : extra.iterator().next();
    String modelOfSample = "";
    for (java.util.Map<String, boolean[]> model : models) {
      if (model.containsKey(sample)) {
        modelOfSample = java.util.Arrays.toString(model.get(sample));
      }
    }
    assertThat(extra)
        .as(
            "listed but not expected (%d expected; one of them: %s)",
            expected.size(), modelOfSample)
        .isEmpty();
    assertThat(expected).hasSizeGreaterThan(1_000);
  }
}
