package app.candor.cli;

import picocli.CommandLine.Command;

/** The top-level command; its subcommands do the work. */
@Command(
    name = "candor",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Candor: the user-data platform of a super app.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      RotateMasterKeyCommand.class,
      ResetAdminTokenCommand.class,
      BenchCommand.class,
      PlacesCommand.class,
      LedgerCommand.class,
      SpamCommand.class
    })
public final class CandorCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
