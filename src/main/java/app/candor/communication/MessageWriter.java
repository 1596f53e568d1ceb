package app.candor.communication;

import app.candor.communication.spam.Reason;
import app.candor.communication.spam.Verdict;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import app.candor.core.store.GroupCommit;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Writes a group of messages in one transaction. For each, in conversation order (one lock order
 * for every node): the conversation's row is locked and its next number taken, the author must
 * still be a member (on PostgreSQL their membership share-locked, so an erasure either follows and
 * shreds the message, or is seen), and a retry (same author, conversation and retry id) answers the
 * message stored the first time instead of storing it again. A service's message is logged in the
 * author's access log inside the same transaction.
 */
final class MessageWriter
    implements GroupCommit.Writer<MessageWriter.Pending, MessageWriter.Written> {

  /** A message ready to write: its text already encrypted and screened on the request thread. */
  record Pending(
      Grant grant,
      MessageInput input,
      @Nullable String bodyCt,
      Verdict spam,
      @Nullable String fuzzy,
      String id,
      long at) {}

  /** What became of one: stored (or found stored before), or refused because not a member. */
  record Written(Optional<Sent> sent) {}

  private final Database db;
  private final PurposeGate gate;

  MessageWriter(Database db, PurposeGate gate) {
    this.db = db;
    this.gate = gate;
  }

  @Override
  public List<Written> write(Handle h, List<Pending> group) {
    List<Integer> order = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> group.get(i).input().conversationId()));
    Written[] out = new Written[group.size()];
    boolean pg = db.dialect() == Database.Dialect.POSTGRESQL;
    // Plain JDBC, each statement prepared once per group: a group holds up to a thousand
    // messages, and these run for each of them.
    try (Group g = new Group(h.getConnection(), pg)) {
      for (int i : order) {
        out[i] = g.write(h, group.get(i));
      }
      g.flush();
    } catch (SQLException e) {
      throw new IllegalStateException("messages group failed", e);
    }
    return List.of(out);
  }

  /** One group's statements, the numbers it took per conversation, and the rows it adds. */
  private final class Group implements AutoCloseable {
    private final PreparedStatement lastSeq;
    private final PreparedStatement member;
    private final PreparedStatement earlier;
    private final PreparedStatement insert;
    private final PreparedStatement setSeq;
    private final Map<String, Long> taken = new HashMap<>();
    private final Map<String, Sent> added = new HashMap<>();

    Group(Connection c, boolean pg) throws SQLException {
      lastSeq =
          c.prepareStatement(
              "SELECT last_seq FROM conversations WHERE id = ?" + (pg ? " FOR UPDATE" : ""));
      member =
          c.prepareStatement(
              "SELECT 1 FROM conversation_members WHERE conversation_id = ? AND subject_id = ?"
                  + (pg ? " FOR SHARE" : ""));
      earlier =
          c.prepareStatement(
              "SELECT id, at, kind, verdict, score, reasons FROM messages WHERE sender_id = ?"
                  + " AND conversation_id = ? AND client_message_id = ?");
      insert =
          c.prepareStatement(
              "INSERT INTO messages (id, conversation_id, seq, sender_id, client_message_id,"
                  + " kind, body_ct, media_id, at, verdict, score, reasons, held, fuzzy)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      setSeq = c.prepareStatement("UPDATE conversations SET last_seq = ? WHERE id = ?");
    }

    Written write(Handle h, Pending p) throws SQLException {
      MessageInput in = p.input();
      String key = in.from() + "\n" + in.conversationId() + "\n" + in.clientMessageId();
      Sent repeated = added.get(key);
      if (repeated != null) {
        return new Written(Optional.of(replayed(repeated)));
      }
      Long last = taken.get(in.conversationId());
      if (last == null) {
        lastSeq.setString(1, in.conversationId());
        try (ResultSet rs = lastSeq.executeQuery()) {
          if (!rs.next()) {
            return new Written(Optional.empty());
          }
          last = rs.getLong(1);
        }
      }
      member.setString(1, in.conversationId());
      member.setString(2, in.from());
      try (ResultSet rs = member.executeQuery()) {
        if (!rs.next()) {
          return new Written(Optional.empty());
        }
      }
      earlier.setString(1, in.from());
      earlier.setString(2, in.conversationId());
      earlier.setString(3, in.clientMessageId());
      try (ResultSet rs = earlier.executeQuery()) {
        if (rs.next()) {
          return new Written(
              Optional.of(
                  new Sent(
                      rs.getString(1),
                      in.conversationId(),
                      in.from(),
                      Instant.ofEpochMilli(rs.getLong(2)),
                      rs.getString(3),
                      new Verdict(rs.getString(4), rs.getInt(5), reasons(rs.getString(6))),
                      true)));
        }
      }
      long seq = last + 1;
      taken.put(in.conversationId(), seq);
      insert.setString(1, p.id());
      insert.setString(2, in.conversationId());
      insert.setLong(3, seq);
      insert.setString(4, in.from());
      insert.setString(5, in.clientMessageId());
      insert.setString(6, in.kind());
      insert.setString(7, p.bodyCt());
      insert.setString(8, in.mediaId().orElse(null));
      insert.setLong(9, p.at());
      insert.setString(10, p.spam().verdict());
      insert.setInt(11, p.spam().score());
      insert.setString(12, json(p.spam().reasons()));
      insert.setInt(13, p.spam().isSpam() ? 1 : 0);
      insert.setString(14, p.fuzzy());
      insert.addBatch();
      // The service wrote as the author: in the author's access log, durable with the message.
      gate.changedIn(h, p.grant());
      Sent sent =
          new Sent(
              p.id(),
              in.conversationId(),
              in.from(),
              Instant.ofEpochMilli(p.at()),
              in.kind(),
              p.spam(),
              false);
      added.put(key, sent);
      return new Written(Optional.of(sent));
    }

    /** Writes the group's messages and each conversation's newest number. */
    void flush() throws SQLException {
      if (added.isEmpty()) {
        return;
      }
      insert.executeBatch();
      for (Map.Entry<String, Long> e : taken.entrySet()) {
        setSeq.setLong(1, e.getValue());
        setSeq.setString(2, e.getKey());
        setSeq.addBatch();
      }
      setSeq.executeBatch();
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement st : List.of(lastSeq, member, earlier, insert, setSeq)) {
        st.close();
      }
    }
  }

  private static Sent replayed(Sent s) {
    return new Sent(s.id(), s.conversationId(), s.from(), s.at(), s.kind(), s.spam(), true);
  }

  static String json(List<Reason> reasons) {
    try {
      return Json.mapper().writeValueAsString(reasons);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Reason> reasons(String json) {
    try {
      List<Map<String, String>> raw =
          Json.mapper().readValue(json, new TypeReference<List<Map<String, String>>>() {});
      List<Reason> out = new ArrayList<>(raw.size());
      for (Map<String, String> r : raw) {
        out.add(new Reason(r.get("code"), r.get("detail")));
      }
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored reasons are not JSON", e);
    }
  }
}
