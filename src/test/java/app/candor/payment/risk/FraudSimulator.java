package app.candor.payment.risk;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The transaction simulator of the handbook "Reproducible Machine Learning for Credit Card Fraud
 * Detection" (Le Borgne, Siblini, Lebichot, Bontempi; ULB and Worldline, 2022), chapter 3.2
 * "Transaction data simulator" ({@code Chapter_3_GettingStarted/SimulatedDataset.ipynb} in
 * github.com/Fraud-Detection-Handbook/fraud-detection-handbook), rewritten in Java with a seed.
 *
 * <p>As in the handbook: customers at uniform (x, y) on a 100 x 100 grid, with a mean amount
 * uniform in [5, 100), a standard deviation of half of it, and a Poisson number of transactions a
 * day of mean uniform in [0, 4); terminals (the merchants) at uniform (x, y); a customer pays only
 * at terminals within radius {@code r} (5: about 100 terminals); times around noon (normal, sd
 * 20,000 s, outside the day discarded), amounts normal (a negative draw is redrawn uniform in [0, 2
 * mean)), rounded to cents (0.00 becomes 0.01: Candor refuses empty transfers), at a terminal
 * chosen uniformly. Then the three fraud scenarios, in the handbook's order: (1) every amount over
 * 220 is a fraud; (2) each day, two terminals drawn at random are compromised for 28 days: all
 * their transactions are frauds; (3) each day, three customers drawn at random are compromised for
 * 14 days: a third of their transactions, drawn at random, have their amount multiplied by 5 and
 * are frauds. A later scenario overwrites the scenario number of an earlier one. The random streams
 * are Java's, not numpy's, so the data are alike in distribution, not row for row.
 *
 * <p>It lives in the test sources: only the evaluation, the training command and the tests use it,
 * and the runtime jar should not carry a data generator.
 *
 * <p>With {@link Config#candorSignals} on, each transaction also gets Candor's own signals (payment
 * method age, shared card, recipient age, distance from usual). The handbook has no such data; the
 * distributions are this class's stated assumptions ({@link #candorSignals}), used only to give
 * those model terms a shape until Candor has confirmed frauds of its own.
 */
public final class FraudSimulator {

  /** The simulation's size and seed; {@link #handbook} is the handbook's dataset. */
  public record Config(
      int customers,
      int terminals,
      int days,
      LocalDate start,
      double radius,
      long seed,
      boolean candorSignals) {

    /** 5,000 customers, 10,000 terminals, 183 days from 2018-04-01, r = 5 (the handbook's). */
    public static Config handbook(long seed) {
      return new Config(5_000, 10_000, 183, LocalDate.of(2018, 4, 1), 5, seed, false);
    }

    public Config withCandorSignals() {
      return new Config(customers, terminals, days, start, radius, seed, true);
    }

    public Config withSize(int customers, int terminals, int days) {
      return new Config(customers, terminals, days, start, radius, seed, candorSignals);
    }
  }

  /** Candor's own signals of one transaction; all neutral outside {@code candorSignals}. */
  public record Extras(
      Optional<Duration> paymentMethodAge,
      int otherAccountsWithSameCard,
      Optional<Duration> recipientAccountAge,
      Optional<Double> kmFromUsual) {
    static final Extras NONE = new Extras(Optional.empty(), 0, Optional.empty(), Optional.empty());
  }

  /**
   * One transaction; {@code seconds} since the start day's midnight UTC, {@code scenario} 0 for a
   * genuine one.
   */
  public record Transaction(
      int id,
      int seconds,
      int customer,
      int terminal,
      long amountMinor,
      boolean fraud,
      int scenario,
      Extras extras) {

    public int day() {
      return seconds / 86_400;
    }
  }

  /** The customers' profiles (the handbook's table), and the transactions in time order. */
  public record Dataset(Config config, List<Profile> customers, List<Transaction> transactions) {

    public Instant at(Transaction t) {
      return config.start().atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(t.seconds());
    }

    public long frauds() {
      return transactions.stream().filter(Transaction::fraud).count();
    }

    public long scenario(int scenario) {
      return transactions.stream().filter(t -> t.scenario() == scenario).count();
    }
  }

  /** A customer's profile. */
  public record Profile(
      int id, double x, double y, double meanAmount, double stdAmount, double meanTxPerDay) {}

  private FraudSimulator() {}

  public static Dataset generate(Config config) {
    SplittableRandom profiles = new SplittableRandom(config.seed());
    List<Profile> customers = new ArrayList<>(config.customers());
    for (int c = 0; c < config.customers(); c++) {
      double x = profiles.nextDouble(100);
      double y = profiles.nextDouble(100);
      double mean = profiles.nextDouble(5, 100);
      customers.add(new Profile(c, x, y, mean, mean / 2, profiles.nextDouble(4)));
    }
    SplittableRandom places = new SplittableRandom(config.seed() + 1);
    double[] tx = new double[config.terminals()];
    double[] ty = new double[config.terminals()];
    for (int t = 0; t < config.terminals(); t++) {
      tx[t] = places.nextDouble(100);
      ty[t] = places.nextDouble(100);
    }

    List<Mutable> rows = new ArrayList<>();
    for (Profile p : customers) {
      int[] near = near(p, tx, ty, config.radius());
      SplittableRandom r = new SplittableRandom(mix(config.seed(), 2, p.id()));
      for (int day = 0; day < config.days(); day++) {
        int n = poisson(r, p.meanTxPerDay());
        for (int i = 0; i < n; i++) {
          int time = (int) (43_200 + 20_000 * r.nextGaussian());
          if (time <= 0 || time >= 86_400) {
            continue;
          }
          double amount = p.meanAmount() + p.stdAmount() * r.nextGaussian();
          if (amount < 0) {
            amount = r.nextDouble(0, 2 * p.meanAmount());
          }
          if (near.length > 0) {
            int terminal = near[r.nextInt(near.length)];
            rows.add(
                new Mutable(
                    time + day * 86_400, p.id(), terminal, Math.max(1, Math.round(amount * 100))));
          }
        }
      }
    }
    rows.sort(Comparator.comparingInt((Mutable m) -> m.seconds).thenComparingInt(m -> m.customer));
    addFrauds(config, rows);

    List<Transaction> out = new ArrayList<>(rows.size());
    SplittableRandom extras = new SplittableRandom(mix(config.seed(), 5, 0));
    for (int i = 0; i < rows.size(); i++) {
      Mutable m = rows.get(i);
      Extras e = config.candorSignals() ? candorSignals(extras, m.fraud) : Extras.NONE;
      out.add(
          new Transaction(
              i, m.seconds, m.customer, m.terminal, m.amountMinor, m.fraud, m.scenario, e));
    }
    return new Dataset(config, List.copyOf(customers), List.copyOf(out));
  }

  private static void addFrauds(Config config, List<Mutable> rows) {
    for (Mutable m : rows) {
      if (m.amountMinor > 22_000) {
        m.fraud = true;
        m.scenario = 1;
      }
    }
    List<List<Mutable>> byTerminal = index(rows, config.terminals(), true);
    List<List<Mutable>> byCustomer = index(rows, config.customers(), false);
    int lastDay = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).seconds / 86_400;
    for (int day = 0; day < lastDay; day++) {
      SplittableRandom r = new SplittableRandom(mix(config.seed(), 3, day));
      for (int terminal : distinct(r, config.terminals(), 2)) {
        for (Mutable m : byTerminal.get(terminal)) {
          int d = m.seconds / 86_400;
          if (d >= day && d < day + 28) {
            m.fraud = true;
            m.scenario = 2;
          }
        }
      }
    }
    for (int day = 0; day < lastDay; day++) {
      SplittableRandom r = new SplittableRandom(mix(config.seed(), 4, day));
      List<Mutable> compromised = new ArrayList<>();
      for (int customer : distinct(r, config.customers(), 3)) {
        for (Mutable m : byCustomer.get(customer)) {
          int d = m.seconds / 86_400;
          if (d >= day && d < day + 14) {
            compromised.add(m);
          }
        }
      }
      compromised.sort(Comparator.comparingInt((Mutable m) -> m.seconds));
      int k = compromised.size() / 3;
      for (int i = 0; i < k; i++) {
        int j = i + r.nextInt(compromised.size() - i);
        Mutable chosen = compromised.get(j);
        compromised.set(j, compromised.get(i));
        compromised.set(i, chosen);
        chosen.amountMinor *= 5;
        chosen.fraud = true;
        chosen.scenario = 3;
      }
    }
  }

  /**
   * Candor's signals, by assumption (no public data has them): genuine payments are mostly from old
   * methods or the wallet, rarely from a card shared with a family account, one in five goes to a
   * person whose account is months old, and the person is near home; a fraud, in about a third of
   * cases each, uses a method added minutes ago, a card seen on several accounts, a person's
   * account created minutes ago, or a position far from usual.
   */
  private static Extras candorSignals(SplittableRandom r, boolean fraud) {
    Optional<Duration> method;
    double u = r.nextDouble();
    if (u < (fraud ? 0.15 : 0.30)) {
      method = Optional.empty();
    } else if (u < (fraud ? 0.50 : 0.31)) {
      method = Optional.of(Duration.ofMinutes(1 + r.nextInt(fraud ? 180 : 1440)));
    } else {
      method = Optional.of(Duration.ofDays(1 + r.nextInt(1000)));
    }
    int shared = 0;
    if (method.isPresent()) {
      double s = r.nextDouble();
      if (fraud && s < 0.3) {
        shared = 2 + r.nextInt(11);
      } else if (!fraud && s < 0.025) {
        shared = 1;
      } else if (!fraud && s < 0.03) {
        shared = 2 + r.nextInt(2);
      }
    }
    Optional<Duration> recipient = Optional.empty();
    if (r.nextDouble() < 0.2) {
      boolean fresh = r.nextDouble() < (fraud ? 0.4 : 0.02);
      recipient =
          Optional.of(
              fresh
                  ? Duration.ofMinutes(1 + r.nextInt(fraud ? 120 : 1440))
                  : Duration.ofDays(1 + r.nextInt(2000)));
    }
    Optional<Double> km = Optional.empty();
    if (r.nextDouble() < 0.6) {
      boolean far = r.nextDouble() < (fraud ? 0.4 : 0.02);
      km = Optional.of(far ? r.nextDouble(50, 3000) : -4 * Math.log(1 - r.nextDouble()));
    }
    return new Extras(method, shared, recipient, km);
  }

  private static int[] near(Profile p, double[] tx, double[] ty, double radius) {
    int[] out = new int[16];
    int n = 0;
    for (int t = 0; t < tx.length; t++) {
      double dx = p.x() - tx[t];
      double dy = p.y() - ty[t];
      if (Math.sqrt(dx * dx + dy * dy) < radius) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = t;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Knuth's method: exact, and quick for the small means here (under 4). */
  private static int poisson(SplittableRandom r, double mean) {
    double limit = Math.exp(-mean);
    double product = r.nextDouble();
    int n = 0;
    while (product > limit) {
      n++;
      product *= r.nextDouble();
    }
    return n;
  }

  private static int[] distinct(SplittableRandom r, int bound, int k) {
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      int candidate;
      boolean again;
      do {
        candidate = r.nextInt(bound);
        again = false;
        for (int j = 0; j < i; j++) {
          again |= out[j] == candidate;
        }
      } while (again);
      out[i] = candidate;
    }
    return out;
  }

  private static List<List<Mutable>> index(List<Mutable> rows, int size, boolean byTerminal) {
    List<List<Mutable>> index = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      index.add(new ArrayList<>());
    }
    for (Mutable m : rows) {
      index.get(byTerminal ? m.terminal : m.customer).add(m);
    }
    return index;
  }

  private static long mix(long seed, int stream, int index) {
    long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static final class Mutable {
    final int seconds;
    final int customer;
    final int terminal;
    long amountMinor;
    boolean fraud;
    int scenario;

    Mutable(int seconds, int customer, int terminal, long amountMinor) {
      this.seconds = seconds;
      this.customer = customer;
      this.terminal = terminal;
      this.amountMinor = amountMinor;
    }
  }
}
