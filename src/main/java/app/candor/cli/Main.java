package app.candor.cli;

import picocli.CommandLine;

/** Entry point: {@code java -jar candor.jar <command>}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = new CommandLine(new CandorCommand()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
