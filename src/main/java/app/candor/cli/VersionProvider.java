package app.candor.cli;

import app.candor.Candor;
import picocli.CommandLine.IVersionProvider;

/** Prints the version from the jar manifest. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"candor " + Candor.version()};
  }
}
