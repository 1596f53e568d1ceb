package app.candor.cli;

import app.candor.core.auth.AdminToken;
import app.candor.core.config.Config;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Issues a new admin token; the old one stops working at the next start. */
@Command(
    name = "reset-admin-token",
    mixinStandardHelpOptions = true,
    description = "Generate a new admin token and print it once.")
final class ResetAdminTokenCommand implements Callable<Integer> {
  @Mixin Options options = new Options();

  @Override
  public Integer call() {
    Config config = options.config(System.getenv());
    if (config.adminToken().isPresent()) {
      System.err.println("CANDOR_ADMIN_TOKEN is set; change it there instead.");
      return 2;
    }
    AdminToken token = AdminToken.reset(config.dataDir());
    System.out.println(token.freshlyGenerated().orElseThrow());
    System.err.println("Restart Candor for the new token to take effect.");
    return 0;
  }
}
