package app.candor.cli;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.core.config.ConfigException;
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
    Config config;
    Candor candor;
    try {
      config = options.config(System.getenv());
      candor = Candor.open(config);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    runUntilStopped(candor, () -> Banner.print(candor, false));
    return 0;
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
