package app.candor.cli;

import app.candor.Candor;
import app.candor.core.config.Config;
import app.candor.payment.Payments;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The ledger's own check: {@code ./candor ledger verify}. */
@Command(
    name = "ledger",
    mixinStandardHelpOptions = true,
    description = "Check the payment ledger.",
    subcommands = {LedgerCommand.Verify.class})
final class LedgerCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("Usage: candor ledger verify");
  }

  /**
   * Recomputes every account's balance and held amount from the transfers and each currency's
   * total; exits 0 when everything matches, 1 when anything differs (listing each difference).
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Recompute every balance from the transfers; exit 1 and list each difference if any.")
  static final class Verify implements Callable<Integer> {
    @Mixin Options options = new Options();

    @Override
    public Integer call() {
      Config config = options.config(System.getenv());
      try (Candor candor = Candor.open(config)) {
        Payments.LedgerCheck check = candor.ledger().payments().verify();
        System.out.println(
            "Ledger: "
                + check.accounts()
                + " accounts, "
                + check.transfers()
                + " transfers; totals per currency "
                + check.totals()
                + " (each must be 0)");
        check.differences().forEach(d -> System.out.println("DIFFERENCE " + d));
        System.out.println(check.ok() ? "OK: every balance equals its transfers" : "FAILED");
        return check.ok() ? 0 : 1;
      }
    }
  }
}
