package db.migration.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Erasure leaves nothing that names the person, in rows written before it did so too:
 *
 * <ul>
 *   <li>an erasure receipt keeps the SHA-256 of the person's id instead of the id (whoever holds
 *       the id can still find the receipt); Java, because SQLite has no SHA-256 function;
 *   <li>usage rollup rows whose count is zero go: the writer and erasure leave none any more, and
 *       those keyed by a feature name kept a name a service supplied for people since erased.
 * </ul>
 *
 * The same statements on both databases. The digest is the one {@code PrivacyService.erase} writes
 * (a migration does not call code that may change after it ran).
 */
public class V13__Erasure_leaves_no_id extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    try (Statement st = c.createStatement()) {
      st.execute("ALTER TABLE erasure_receipts RENAME COLUMN subject_id TO subject_sha256");
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT subject_sha256 FROM erasure_receipts")) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      try (PreparedStatement update =
          c.prepareStatement(
              "UPDATE erasure_receipts SET subject_sha256 = ? WHERE subject_sha256 = ?")) {
        for (String id : ids) {
          update.setString(1, sha256(id));
          update.setString(2, id);
          update.addBatch();
        }
        if (!ids.isEmpty()) {
          update.executeBatch();
        }
      }
      st.execute("DELETE FROM usage_gaps WHERE people <= 0");
      st.execute("DELETE FROM usage_feature_days WHERE uses <= 0");
      st.execute("DELETE FROM usage_session_hist WHERE sessions <= 0");
      st.execute("DELETE FROM usage_cohorts WHERE people <= 0");
    }
  }

  private static String sha256(String id) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
