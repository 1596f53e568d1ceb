package app.candor.cli;

import app.candor.Candor;
import app.candor.CommandServices;

/** What Candor prints when it starts: where to go, and a new admin token once. */
final class Banner {
  private Banner() {}

  static void print(CommandServices.Banner running, boolean demo) {
    String base = "http://localhost:" + running.config().port();
    StringBuilder out = new StringBuilder();
    out.append("\nCandor ")
        .append(Candor.version())
        .append(" is running")
        .append(demo ? " (demo)" : "")
        .append('\n');
    out.append("  database:      ").append(running.config().describeDatabase()).append('\n');
    out.append("  transparency:  ").append(base).append("/transparency\n");
    out.append("  API (OpenAPI): ").append(base).append("/openapi.json\n");
    out.append("  health:        ").append(base).append("/health/ready\n");
    out.append("  metrics:       ").append(base).append("/metrics\n");
    out.append("  sign-in codes: ").append(running.codes().describe()).append('\n');
    running
        .adminToken()
        .freshlyGenerated()
        .ifPresentOrElse(
            token ->
                out.append("  admin token:   ")
                    .append(token)
                    .append(
                        "\n                 (shown once; only its hash is kept in the data dir)\n"),
            () ->
                out.append(
                    "  admin token:   as configured or printed at first start"
                        + " (`candor reset-admin-token` makes a new one)\n"));
    System.out.println(out);
  }
}
