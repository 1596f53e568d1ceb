package app.candor.cli;

import app.candor.Candor;
import app.candor.core.config.Config;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Rotates the master key: adds a new primary key to the key file, re-wraps every person's keyset
 * and the system keys in one transaction, then drops the old key. Safe to re-run after a crash.
 */
@Command(
    name = "rotate-master-key",
    mixinStandardHelpOptions = true,
    description = "Rotate the master key and re-wrap every per-person key. Stop the server first.")
final class RotateMasterKeyCommand implements Callable<Integer> {
  @Mixin Options options = new Options();

  @Override
  public Integer call() throws Exception {
    Config config = options.config(System.getenv());
    try (Candor candor = Candor.open(config)) {
      int rewrapped = MasterKeyRotation.rotate(candor.keys());
      System.out.println(
          "Master key rotated: "
              + rewrapped
              + " wrapped keys re-encrypted; key file "
              + config.masterKeyFile());
    }
    return 0;
  }
}
