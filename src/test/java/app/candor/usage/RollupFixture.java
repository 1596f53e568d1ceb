package app.candor.usage;

import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Raw activity, and the rollup rows it implies, derived here independently of the writer, exactly
 * per the semantics of the V3 migration's comments. Tests load the rows and compare analytics with
 * a brute-force computation over the same activity.
 */
public final class RollupFixture {

  /** A person used a feature on an epoch day, {@code uses} times. */
  public record Use(String person, String feature, long day, long uses) {}

  /** A session of a person that started on an epoch day and lasted {@code seconds}. */
  public record Session(String person, long day, long seconds) {}

  public final List<Use> uses = new ArrayList<>();
  public final List<Session> sessions = new ArrayList<>();

  public RollupFixture use(String person, String feature, long day, long times) {
    uses.add(new Use(person, feature, day, times));
    return this;
  }

  public RollupFixture session(String person, long day, long seconds) {
    sessions.add(new Session(person, day, seconds));
    return this;
  }

  /** Active days per person for {@code feature}, or any feature for {@code "*"}. */
  public Map<String, TreeSet<Long>> activeDays(String feature) {
    Map<String, TreeSet<Long>> out = new TreeMap<>();
    for (Use u : uses) {
      if (feature.equals("*") || u.feature().equals(feature)) {
        out.computeIfAbsent(u.person(), p -> new TreeSet<>()).add(u.day());
      }
    }
    return out;
  }

  /** Rows of usage_gaps: (feature, day, prev_day) to people. */
  public Map<List<Object>, Long> gaps() {
    Map<List<Object>, Long> out = new HashMap<>();
    TreeSet<String> features = new TreeSet<>();
    uses.forEach(u -> features.add(u.feature()));
    features.add("*");
    for (String f : features) {
      for (TreeSet<Long> days : activeDays(f).values()) {
        long prev = -1;
        for (long d : days) {
          out.merge(List.of(f, d, prev), 1L, Long::sum);
          prev = d;
        }
      }
    }
    return out;
  }

  /** Rows of usage_feature_days: (feature, day) to uses, '*' for all. */
  public Map<List<Object>, Long> featureDays() {
    Map<List<Object>, Long> out = new HashMap<>();
    for (Use u : uses) {
      out.merge(List.of(u.feature(), u.day()), u.uses(), Long::sum);
      out.merge(List.of("*", u.day()), u.uses(), Long::sum);
    }
    return out;
  }

  /** Rows of usage_cohorts: (cohort_week, week) to people. */
  public Map<List<Object>, Long> cohorts() {
    Map<List<Object>, Long> out = new HashMap<>();
    for (TreeSet<Long> days : activeDays("*").values()) {
      TreeSet<Long> weeks = new TreeSet<>();
      days.forEach(d -> weeks.add(UsageAnalytics.week(d)));
      long cohort = weeks.first();
      weeks.forEach(w -> out.merge(List.of(cohort, w), 1L, Long::sum));
    }
    return out;
  }

  /** Rows of usage_session_hist: (day, bucket) to sessions. */
  public Map<List<Object>, Long> sessionHist() {
    Map<List<Object>, Long> out = new HashMap<>();
    for (Session s : sessions) {
      out.merge(List.of(s.day(), (long) UsageAnalytics.bucket(s.seconds())), 1L, Long::sum);
    }
    return out;
  }

  /** Replaces the rollup tables' rows with the ones this activity implies. */
  public void load(Database db) {
    db.useTransaction(
        h -> {
          for (String table :
              List.of("usage_gaps", "usage_feature_days", "usage_cohorts", "usage_session_hist")) {
            h.execute("DELETE FROM " + table);
          }
          insert(
              h.prepareBatch(
                  "INSERT INTO usage_gaps (feature, day, prev_day, people) VALUES (?, ?, ?, ?)"),
              gaps());
          insert(
              h.prepareBatch(
                  "INSERT INTO usage_feature_days (feature, day, uses) VALUES (?, ?, ?)"),
              featureDays());
          insert(
              h.prepareBatch(
                  "INSERT INTO usage_cohorts (cohort_week, week, people) VALUES (?, ?, ?)"),
              cohorts());
          insert(
              h.prepareBatch(
                  "INSERT INTO usage_session_hist (day, bucket, sessions) VALUES (?, ?, ?)"),
              sessionHist());
        });
  }

  private static void insert(PreparedBatch batch, Map<List<Object>, Long> rows) {
    rows.forEach(
        (key, value) -> {
          for (int i = 0; i < key.size(); i++) {
            batch.bind(i, key.get(i));
          }
          batch.bind(key.size(), value);
          batch.add();
        });
    if (batch.size() > 0) {
      batch.execute();
    }
  }
}
