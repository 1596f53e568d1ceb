package app.candor.core.crypto;

import app.candor.core.store.Database;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * One Tink keyset per person, stored wrapped by the master key with the person id as associated
 * data (a wrapped key cannot be moved to another person). Deleting the row is crypto-shredding:
 * every ciphertext of that person becomes noise.
 */
public final class SubjectKeys {

  private static final int CACHE_SIZE = 10_000;

  private final Database db;
  private final MasterKey master;
  private final Clock clock;
  // Unwrapped keys, read by many request threads at once; emptied when it grows past its bound.
  private final Map<String, Aead> cache = new java.util.concurrent.ConcurrentHashMap<>();

  public SubjectKeys(Database db, MasterKey master, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.master = Objects.requireNonNull(master, "master");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Creates the person's keyset inside the caller's transaction and returns its AEAD. */
  public Aead create(Handle handle, String subjectId) {
    try {
      KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
      byte[] wrapped =
          TinkProtoKeysetFormat.serializeEncryptedKeyset(
              keyset, master.aead(), subjectId.getBytes(StandardCharsets.UTF_8));
      handle
          .createUpdate(
              "INSERT INTO subject_keys (subject_id, wrapped_keyset, created_at)"
                  + " VALUES (:s, :w, :t)")
          .bind("s", subjectId)
          .bind("w", Base64.getEncoder().encodeToString(wrapped))
          .bind("t", clock.millis())
          .execute();
      Aead aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
      // Cached only after commit would be purer; a rolled-back key is unreachable anyway.
      remember(subjectId, aead);
      return aead;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a key for a person", e);
    }
  }

  /** The person's AEAD, or empty when the person has no key (never existed or erased). */
  public Optional<Aead> find(String subjectId) {
    Aead cached = cache.get(subjectId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> wrapped =
        db.withHandle(
            h ->
                h.createQuery("SELECT wrapped_keyset FROM subject_keys WHERE subject_id = :s")
                    .bind("s", subjectId)
                    .mapTo(String.class)
                    .findOne());
    return wrapped.map(w -> unwrap(subjectId, w));
  }

  private Aead unwrap(String subjectId, String wrapped) {
    try {
      KeysetHandle keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              Base64.getDecoder().decode(wrapped),
              master.aead(),
              subjectId.getBytes(StandardCharsets.UTF_8));
      Aead aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
      remember(subjectId, aead);
      return aead;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "a person's key cannot be unwrapped: is CANDOR_MASTER_KEY_FILE the right key?", e);
    }
  }

  private void remember(String subjectId, Aead aead) {
    if (cache.size() >= CACHE_SIZE) {
      cache.clear();
    }
    cache.put(subjectId, aead);
  }

  /** Whether the person exists: a person exists while their key does (erasure deletes it first). */
  public boolean exists(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT 1 FROM subject_keys WHERE subject_id = :s")
                .bind("s", subjectId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /** When the person's key was made: when they joined. Empty when the person does not exist. */
  public Optional<java.time.Instant> createdAt(String subjectId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT created_at FROM subject_keys WHERE subject_id = :s")
                .bind("s", subjectId)
                .mapTo(Long.class)
                .findOne()
                .map(java.time.Instant::ofEpochMilli));
  }

  /** Crypto-shreds the person inside the caller's transaction. Returns true when a key existed. */
  public boolean destroy(Handle handle, String subjectId) {
    cache.remove(subjectId);
    return handle
            .createUpdate("DELETE FROM subject_keys WHERE subject_id = :s")
            .bind("s", subjectId)
            .execute()
        > 0;
  }

  /** Drops the cached key of an erased person (after the erasure committed). */
  public void evict(String subjectId) {
    cache.remove(subjectId);
  }

  /** Re-wraps every stored keyset (and system key) with the master key's current primary. */
  public int rewrapAll() {
    return db.inTransaction(
        h -> {
          int count = 0;
          var rows =
              h.createQuery("SELECT subject_id, wrapped_keyset FROM subject_keys")
                  .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                  .list();
          for (var row : rows) {
            byte[] ad = row.getKey().getBytes(StandardCharsets.UTF_8);
            h.createUpdate("UPDATE subject_keys SET wrapped_keyset = :w WHERE subject_id = :s")
                .bind("w", rewrap(row.getValue(), ad))
                .bind("s", row.getKey())
                .execute();
            count++;
          }
          var system =
              h.createQuery("SELECT name, wrapped FROM system_keys")
                  .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                  .list();
          for (var row : system) {
            byte[] ad = ("system:" + row.getKey()).getBytes(StandardCharsets.UTF_8);
            h.createUpdate("UPDATE system_keys SET wrapped = :w WHERE name = :n")
                .bind("w", rewrap(row.getValue(), ad))
                .bind("n", row.getKey())
                .execute();
            count++;
          }
          return count;
        });
  }

  private String rewrap(String wrapped, byte[] ad) {
    try {
      KeysetHandle keyset =
          TinkProtoKeysetFormat.parseEncryptedKeyset(
              Base64.getDecoder().decode(wrapped), master.aead(), ad);
      return Base64.getEncoder()
          .encodeToString(
              TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, master.aead(), ad));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("a wrapped key cannot be read with the master key", e);
    }
  }
}
