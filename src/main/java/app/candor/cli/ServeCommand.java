package app.candor.cli;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the server until interrupted; SIGTERM finishes requests in flight, then exits. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the Candor server.")
final class ServeCommand implements Callable<Integer> {
  @Mixin Options options = new Options();

  @Override
  public Integer call() throws InterruptedException {
    Candor candor;
    try {
      candor = open(options, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    runUntilStopped(candor, () -> Banner.print(candor.banner(), false));
    return 0;
  }

  /**
   * The Candor that {@code serve} runs: configured from {@code env} (flags override), and only with
   * a way to send sign-in codes, or with sign-in switched off on purpose. Codes are never kept
   * where an operator could read them.
   */
  static Candor open(Options options, Map<String, String> env) {
    Config config = options.config(env);
    requireCodeSender(config.delivery());
    return Candor.open(config);
  }

  /** Fails fast, naming the variables to set, when nothing can deliver sign-in codes. */
  static void requireCodeSender(Config.Delivery delivery) {
    if (!delivery.hasSender() && !delivery.disabled()) {
      throw new ConfigException(
          "serve needs a way to send sign-in codes: set CANDOR_SMTP_URL (email, e.g."
              + " smtp://user:pass@smtp.example.com:587?starttls=true, with CANDOR_SMTP_FROM)"
              + " and/or CANDOR_SMS_WEBHOOK_URL with CANDOR_SMS_WEBHOOK_SECRET (sms, a signed HTTP"
              + " webhook); or set CANDOR_CODE_SENDER=none to run without sign-in (it then answers"
              + " 503). `candor demo` keeps codes in an outbox instead.");
    }
  }

  static void runUntilStopped(Candor candor, Runnable afterStart) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  candor.close();
                  stopped.countDown();
                },
                "candor-shutdown"));
    candor.start();
    afterStart.run();
    stopped.await();
  }
}
