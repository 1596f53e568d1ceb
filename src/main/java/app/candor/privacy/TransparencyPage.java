package app.candor.privacy;

import app.candor.privacy.Transparency.CategoryView;
import app.candor.privacy.Transparency.Field;
import app.candor.privacy.Transparency.PurposeView;
import app.candor.privacy.Transparency.View;

/** The transparency page as self-contained HTML, every value escaped. */
final class TransparencyPage {
  private TransparencyPage() {}

  static String html(View view, int minCount) {
    StringBuilder out = new StringBuilder();
    String title = "What data does " + esc(view.appName()) + " collect?";
    out.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>")
        .append(title)
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;")
        .append("padding:0 1rem;line-height:1.5;color:#222}")
        .append("table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}")
        .append("th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;")
        .append("vertical-align:top}th{background:#f4f4f4}.meta{color:#555}")
        .append("</style></head><body>\n<h1>")
        .append(title)
        .append("</h1>\n<p class=\"meta\">Generated from the live data catalog at ")
        .append(time(view.generatedAt()))
        .append(". ");
    if (view.countsAt() == null) {
      out.append("The numbers of people have not been counted yet.");
    } else {
      out.append("Numbers of people counted at ")
          .append(time(view.countsAt()))
          .append(" (counted again every minute); numbers below ")
          .append(minCount)
          .append(" are not shown.");
    }
    out.append("</p>\n");
    for (CategoryView c : view.categories()) {
      out.append("<section id=\"").append(esc(c.id())).append("\"><h2>").append(esc(c.title()));
      out.append("</h2>\n<p>").append(esc(c.description())).append("</p>\n");
      if (c.fields().isEmpty()) {
        out.append("<p>This version does not collect this kind of data.</p>\n");
      } else {
        out.append("<p class=\"meta\">People with this data: ");
        out.append(esc(String.valueOf(c.usersWithData())));
        out.append(" · ")
            .append(c.optional() ? "Only with your consent" : "Needed for the service");
        out.append(" · Kept: ").append(esc(c.retention())).append("</p>\n");
        out.append("<table><thead><tr><th>Field</th><th>What it is</th><th>Used for</th>")
            .append("<th>Encrypted</th><th>Kept</th></tr></thead><tbody>\n");
        for (Field f : c.fields()) {
          out.append("<tr><td>").append(esc(f.name())).append("</td><td>");
          out.append(esc(f.description())).append("</td><td>");
          out.append(esc(String.join(", ", f.purposes()))).append("</td><td>");
          out.append(f.encrypted() ? "yes" : "no").append("</td><td>");
          out.append(esc(f.retention())).append("</td></tr>\n");
        }
        out.append("</tbody></table>\n");
      }
      out.append("</section>\n");
    }
    out.append("<section id=\"purposes\"><h2>Why we use data</h2>\n<table><thead><tr>")
        .append("<th>Purpose</th><th>Legal basis</th><th>What for</th><th>Default</th>")
        .append("<th>Can be withdrawn</th></tr></thead><tbody>\n");
    for (PurposeView p : view.purposes()) {
      out.append("<tr><td>").append(esc(p.id())).append("</td><td>");
      out.append(esc(p.legalBasis())).append("</td><td>").append(esc(p.description()));
      out.append("</td><td>").append(p.defaultOn() ? "on" : "off").append("</td><td>");
      out.append(p.withdrawable() ? "yes" : "no").append("</td></tr>\n");
    }
    out.append("</tbody></table></section>\n</body></html>\n");
    return out.toString();
  }

  private static String time(java.time.Instant at) {
    return "<time datetime=\"" + at + "\">" + at + "</time>";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
