package app.candor.location;

import app.candor.core.store.GroupCommit;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Writes the position updates of many requests in one transaction (the core's {@link GroupCommit}):
 * for each person it checks, inside the transaction, that they still exist and hold {@code
 * location} and at which level, judges each update against their last accepted position (impossible
 * travel is flagged), and stores the updates and the newest current cell.
 *
 * <p>One queued item is one request's updates (one or many people's), so a request is stored whole
 * or not at all.
 *
 * <p>Judging reads the people-nearby index, which takes an update only once it is durable, plus the
 * updates accepted earlier in the same group; a group still being synced is not seen, so an update
 * can be judged against a position a fraction of a second older. What is judged here is stored and
 * then applied to the index as decided, so the two never disagree.
 */
final class PositionWriter
    implements GroupCommit.Writer<List<PositionWriter.Pending>, List<PositionWriter.Written>> {

  /**
   * One update, ready to store: the position as the index sees it, its cell, and its ciphertext.
   */
  record Fix(double lat, double lon, long at, int cell, byte @Nullable [] positionCt) {}

  /** One person's updates of one request, oldest first, at the level the request thread saw. */
  record Pending(String subjectId, boolean precise, List<Fix> fixes) {}

  /** Why nothing was stored for a person. */
  enum Refusal {
    NONE,
    NO_CONSENT,
    ERASED
  }

  /** An update accepted as current or flagged, in order, for the index once durable. */
  record Judged(double lat, double lon, long at, boolean flagged) {}

  /** What became of one person's updates. */
  record Written(Refusal refusal, int stored, int flagged, boolean precise, List<Judged> judged) {
    static Written refused(Refusal why) {
      return new Written(why, 0, 0, false, List.of());
    }
  }

  private final NearbyIndex index;
  private final Clock clock;

  PositionWriter(NearbyIndex index, Clock clock) {
    this.index = index;
    this.clock = clock;
  }

  @Override
  public List<List<Written>> write(Handle h, List<List<Pending>> requests) {
    List<Pending> group = new ArrayList<>();
    requests.forEach(group::addAll);
    List<Written> written = writeAll(h, group);
    List<List<Written>> out = new ArrayList<>(requests.size());
    int i = 0;
    for (List<Pending> r : requests) {
      out.add(written.subList(i, i + r.size()));
      i += r.size();
    }
    return out;
  }

  private List<Written> writeAll(Handle h, List<Pending> group) {
    Set<String> subjects = new LinkedHashSet<>();
    group.forEach(p -> subjects.add(p.subjectId()));
    Map<String, LocationRepository.Standing> standing = LocationRepository.standing(h, subjects);
    long now = clock.millis();
    Map<String, Judged> accepted = new HashMap<>();
    Map<String, LocationRepository.Current> currents = new HashMap<>();
    List<LocationRepository.Row> rows = new ArrayList<>();
    List<Written> out = new ArrayList<>(group.size());
    for (Pending p : group) {
      LocationRepository.Standing s = standing.get(p.subjectId());
      if (s == null || !s.exists()) {
        out.add(Written.refused(Refusal.ERASED));
        continue;
      }
      if (s.level() == null) {
        out.add(Written.refused(Refusal.NO_CONSENT));
        continue;
      }
      // A level lowered on another node since the request thread read it: the grid square only.
      boolean precise = p.precise() && LocationConsents.PRECISE.equals(s.level());
      String level = precise ? LocationConsents.PRECISE : LocationConsents.APPROXIMATE;
      int flagged = 0;
      List<Judged> judged = new ArrayList<>(p.fixes().size());
      for (Fix f : p.fixes()) {
        double lat = precise ? f.lat() : Grid.centreLat(f.cell());
        double lon = precise ? f.lon() : Grid.centreLon(f.cell());
        NearbyIndex.Update decision = judge(p.subjectId(), lat, lon, f.at(), accepted);
        boolean isFlagged = decision == NearbyIndex.Update.FLAGGED;
        if (isFlagged) {
          flagged++;
        }
        if (decision != NearbyIndex.Update.OLDER) {
          Judged j = new Judged(lat, lon, f.at(), isFlagged);
          judged.add(j);
          if (!isFlagged) {
            accepted.put(p.subjectId(), j);
            currents.put(
                p.subjectId(), new LocationRepository.Current(p.subjectId(), f.at(), f.cell()));
          }
        }
        rows.add(
            new LocationRepository.Row(
                p.subjectId(),
                new LocationRepository.Point(
                    f.at(), now, level, f.cell(), precise ? f.positionCt() : null, isFlagged)));
      }
      out.add(new Written(Refusal.NONE, p.fixes().size(), flagged, precise, judged));
    }
    LocationRepository.insertAll(h, rows);
    LocationRepository.currentAll(h, new ArrayList<>(currents.values()));
    return out;
  }

  /** Against the last update accepted in this group, or else the index's current position. */
  private NearbyIndex.Update judge(
      String subjectId, double lat, double lon, long at, Map<String, Judged> accepted) {
    Judged last = accepted.get(subjectId);
    if (last == null) {
      return index.judge(subjectId, lat, lon, at);
    }
    if (at < last.at()) {
      return NearbyIndex.Update.OLDER;
    }
    return Travel.impossible(last.lat(), last.lon(), last.at(), lat, lon, at)
        ? NearbyIndex.Update.FLAGGED
        : NearbyIndex.Update.CURRENT;
  }
}
