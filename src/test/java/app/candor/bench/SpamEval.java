package app.candor.bench;

import app.candor.communication.spam.MailBody;
import app.candor.communication.spam.SpamClassifier;
import app.candor.communication.spam.SpamCorpus;
import app.candor.communication.spam.SpamMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The spam evaluation (issue 15): SpamAssassin and Candor's text classifier on the same test split
 * of the SpamAssassin public corpus (checksum starting with c-f: 1,549 messages, 482 spam).
 *
 * <p>SpamAssassin (Debian's package, which this class does not install) scores each FULL test
 * message, headers included, through a spamd it starts ({@link Spamd}: local tests only, no Bayes,
 * {@code --children} children, as many client threads). Candor's shipped model judges each
 * message's body as a chat would carry it ({@link MailBody}). Both are printed with precision,
 * recall and F1 (spam positive) and messages/s: SpamAssassin's over the whole split with all its
 * children, per wall-clock second and per CPU-second of spamd and its children (read from {@code
 * /proc}, so other load on the machine does not lower it); Candor's is in process on one thread
 * (one core), classification only, best of {@code --rounds} passes after warm-up, both per second
 * of that thread's CPU time (the per-core figure, which other processes on the machine do not
 * lower) and per wall-clock second, and, labelled apart, with the MIME body extraction that only
 * mail needs.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:exec@spam-eval -Dspam.eval.args='...'}.
 */
@Command(
    name = "spam-eval",
    mixinStandardHelpOptions = true,
    description = "SpamAssassin against Candor's text classifier on the corpus's test split.")
public final class SpamEval implements Callable<Integer> {

  @Option(names = "--corpus", description = "the unpacked npm package (default ${DEFAULT-VALUE})")
  Path corpus = SpamCorpus.DEFAULT_ROOT;

  @Option(names = "--children", description = "spamd children and client threads (default 2)")
  int children = 2;

  @Option(names = "--rounds", description = "timed passes of Candor over the split (default 10)")
  int rounds = 10;

  @Option(names = "--skip-spamassassin", description = "measure Candor only")
  boolean skipSpamAssassin;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SpamEval()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!SpamCorpus.present(corpus)) {
      System.err.println("no corpus under " + corpus + "; .ci/run fetches it with npm");
      return 2;
    }
    List<SpamCorpus.Message> test =
        SpamCorpus.read(corpus).stream().filter(SpamCorpus.Message::test).toList();
    long spam = test.stream().filter(SpamCorpus.Message::spam).count();
    System.out.println("machine: " + BenchUtil.machine());
    System.out.printf(
        Locale.ROOT,
        "test split: %d messages (%d spam, %d ham)%n",
        test.size(),
        spam,
        test.size() - spam);

    Result candor = candor(test);
    Result assassin = skipSpamAssassin ? null : spamAssassin(test);

    if (assassin != null) {
      print(
          Spamd.version() + ", spamd -L, no Bayes, " + children + " children, full messages",
          assassin);
      System.out.printf(
          Locale.ROOT,
          "  SpamAssassin: %,.1f messages per wall-clock second with %d children; %,.1f messages"
              + " per CPU-second of spamd and its children%n",
          assassin.perSecond(),
          children,
          assassin.perCpuSecond());
    }
    print("Candor text classifier (shipped model), message bodies, 1 thread", candor);
    System.out.printf(
        Locale.ROOT,
        "  Candor in process, 1 thread: %,.0f messages per CPU-second (per core), %,.0f per"
            + " wall-clock second; classification only, bodies %,.0f chars on average; %,.0f"
            + " messages/s including MIME body extraction%n",
        candor.perCpuSecond(),
        candor.perSecond(),
        test.stream().mapToInt(m -> m.body().length()).average().orElse(0),
        candor.withExtraction());
    if (assassin != null) {
      System.out.printf(
          Locale.ROOT,
          "ratios Candor/SpamAssassin: F1 %.3f, precision %.3f, recall %.3f; throughput per"
              + " CPU-second %,.0fx; throughput per wall-clock second %,.0fx (Candor on 1 thread,"
              + " SpamAssassin on %d children)%n",
          candor.metrics().f1() / assassin.metrics().f1(),
          candor.metrics().precision() / assassin.metrics().precision(),
          candor.metrics().recall() / assassin.metrics().recall(),
          candor.perCpuSecond() / assassin.perCpuSecond(),
          candor.perSecond() / assassin.perSecond(),
          children);
    }
    return 0;
  }

  /**
   * Figures of one judge: counts, messages per wall-clock second, messages per CPU-second (Candor:
   * of the measuring thread; SpamAssassin: of spamd and its children), and (Candor only) messages/s
   * with the MIME extraction.
   */
  record Result(
      SpamMetrics metrics, double perSecond, double perCpuSecond, double withExtraction) {}

  private Result candor(List<SpamCorpus.Message> test) {
    SpamClassifier classifier = SpamClassifier.shipped();
    List<String> bodies = test.stream().map(SpamCorpus.Message::body).toList();
    SpamMetrics metrics = SpamMetrics.none();
    for (int i = 0; i < test.size(); i++) {
      metrics = metrics.plus(test.get(i).spam(), classifier.classify(bodies.get(i)).isSpam());
    }
    int sink = 0;
    for (int warm = 0; warm < 20; warm++) {
      for (String body : bodies) {
        sink += classifier.classify(body).score();
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double best = 0;
    double bestCpu = 0;
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      for (String body : bodies) {
        sink += classifier.classify(body).score();
      }
      bestCpu =
          Math.max(bestCpu, bodies.size() / ((threads.getCurrentThreadCpuTime() - cpu) / 1e9));
      best = Math.max(best, bodies.size() / ((System.nanoTime() - start) / 1e9));
    }
    double extraction = 0;
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      for (SpamCorpus.Message m : test) {
        sink += classifier.classify(MailBody.of(m.raw())).score();
      }
      extraction = Math.max(extraction, test.size() / ((System.nanoTime() - start) / 1e9));
    }
    if (sink == 42) {
      System.out.print("");
    }
    return new Result(metrics, best, bestCpu, extraction);
  }

  private Result spamAssassin(List<SpamCorpus.Message> test) throws Exception {
    try (Spamd spamd = Spamd.start(children)) {
      ExecutorService clients = Executors.newFixedThreadPool(children);
      try {
        long start = System.nanoTime();
        double cpu = spamd.cpuSeconds();
        List<Future<Boolean>> verdicts = new ArrayList<>();
        for (SpamCorpus.Message m : test) {
          byte[] raw = m.raw().getBytes(StandardCharsets.UTF_8);
          verdicts.add(clients.submit(() -> spamd.check(raw)));
        }
        SpamMetrics metrics = SpamMetrics.none();
        for (int i = 0; i < test.size(); i++) {
          metrics = metrics.plus(test.get(i).spam(), verdicts.get(i).get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = spamd.cpuSeconds() - cpu;
        return new Result(metrics, test.size() / seconds, test.size() / cpuSeconds, 0);
      } finally {
        clients.shutdownNow();
      }
    }
  }

  private static void print(String judge, Result r) {
    System.out.println(judge + ":");
    System.out.printf(
        Locale.ROOT,
        "  precision %.3f  recall %.3f  F1 %.3f  (TP %d FP %d TN %d FN %d)%n",
        r.metrics().precision(),
        r.metrics().recall(),
        r.metrics().f1(),
        r.metrics().truePositives(),
        r.metrics().falsePositives(),
        r.metrics().trueNegatives(),
        r.metrics().falseNegatives());
  }
}
