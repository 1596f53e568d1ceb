package app.candor.usage;

import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.config.Config;
import app.candor.core.crypto.FieldCipher;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.errors.CandorException;
import app.candor.core.json.Json;
import app.candor.core.store.Database;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.crypto.tink.Aead;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rules of usage data: services with {@code analytics} report events; only events of existing
 * people who consented to {@code analytics} are kept; a bad event never fails the good ones of its
 * batch; a 200 means committed.
 */
public final class UsageService implements AutoCloseable {

  /** Per-batch outcome, as the API returns it. */
  public record Outcome(
      int accepted, int duplicates, int droppedNoConsent, List<Rejected> rejected) {}

  /** An event refused, with why. */
  public record Rejected(int index, List<CandorException.FieldError> errors) {}

  public static final int MAX_EVENTS = 1_000;
  public static final int MAX_BATCH_BYTES = 500 * 1024;

  private final Database db;
  private final SubjectKeys keys;
  private final Clock clock;
  private final EventParser parser;
  private final ConsentCache consent;
  private final Sessions sessions;
  private final RecentMessages recent;
  private final UsageWriter writer;
  private final Ingestion ingestion;
  private final Duration retention;

  /** One string per feature name across requests (few names, many events). */
  private final StringPool names = new StringPool(10_000);

  private final java.util.concurrent.Semaphore cpu =
      new java.util.concurrent.Semaphore(Runtime.getRuntime().availableProcessors());

  public UsageService(Database db, SubjectKeys keys, Config.Usage settings, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = Duration.ofDays(settings.retentionDays());
    this.parser = new EventParser(clock, retention);
    this.consent = new ConsentCache(db);
    this.sessions =
        new Sessions(
            Duration.ofMinutes(settings.sessionGapMinutes()).toMillis(),
            Duration.ofHours(settings.sessionMaxHours()).toMillis());
    this.recent = new RecentMessages(settings.dedupeDays(), settings.dedupeMaxIds());
    this.writer = new UsageWriter(db, sessions, clock, recent);
    this.ingestion = new InProcessIngestion(writer);
  }

  /** The writer's dedupe window (tests read it on the writer thread, through maintenance). */
  RecentMessages dedupeWindow() {
    return recent;
  }

  /** Where accepted events go (tests hold its writer to see backpressure). */
  Ingestion ingestion() {
    return ingestion;
  }

  /** Events stored but not yet in the rollups (a gauge in /metrics). */
  public long rollUpLag() {
    return writer.lag();
  }

  /**
   * How far back the dedupe window reaches now, in seconds: a retry of an event that arrived this
   * long ago or less is recognised. The window's length in days, or less once {@code
   * CANDOR_USAGE_DEDUPE_MAX_IDS} ids have pushed older ones out (a gauge in /metrics).
   */
  public double dedupeWindowSeconds() {
    long now = clock.millis();
    return Math.max(0, now - recent.rememberedSince(now)) / 1000.0;
  }

  /** Events accepted but not yet answered: committed and on disk (a gauge in /metrics). */
  public long backlog() {
    return ingestion.backlog();
  }

  /**
   * Waits until every event acknowledged so far is in the rollups (they are brought up to date
   * every two seconds): analytics call this so that an answer counts what was sent before it.
   */
  public void catchUp() {
    ingestion.maintenance(() -> {}).join();
  }

  /** Consent changes and erasures call this, so collection follows them at once. */
  public void invalidate(String subjectId) {
    consent.invalidate(subjectId);
  }

  /** Drops everything cached about an erased person, so nothing of them is reused. */
  void forget(String subjectId) {
    consent.invalidate(subjectId);
    sessions.forget(subjectId);
    writer.forget(subjectId);
  }

  Database database() {
    return db;
  }

  /** Ingests one {@code {batch:[...]}} body, read as a stream of JSON tokens. */
  public Outcome ingest(Caller caller, byte[] body) {
    if (!(caller instanceof Caller.Service service) || !service.may(Purpose.ANALYTICS)) {
      throw CandorException.forbidden("events are sent by services whose key has 'analytics'");
    }
    if (body.length > MAX_BATCH_BYTES) {
      throw new CandorException(
          CandorException.Kind.PAYLOAD_TOO_LARGE,
          "a batch is at most " + MAX_BATCH_BYTES + " bytes; this one is " + body.length);
    }
    if (body.length == 0) {
      throw CandorException.invalid("body", "a JSON object is required");
    }
    List<UsageEvent> events;
    List<Rejected> rejected = new ArrayList<>();
    int[] dropped = new int[1];
    // Reading and encrypting is pure CPU: as many requests at once as there are cores, no more, so
    // that dozens of request threads do not crowd out the writer thread the events then wait for.
    try {
      cpu.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CandorException(CandorException.Kind.UNAVAILABLE, "interrupted; retry");
    }
    try {
      events = prepare(service, body, rejected, dropped);
    } finally {
      cpu.release();
    }
    if (events.isEmpty()) {
      return new Outcome(0, 0, dropped[0], rejected);
    }
    Ingestion.Written written = await(ingestion.submit(events));
    return new Outcome(
        written.inserted(), written.duplicates(), dropped[0] + written.gone(), rejected);
  }

  /** Reads the batch, drops what consent does not allow, encrypts the details of the rest. */
  private List<UsageEvent> prepare(
      Caller.Service service, byte[] body, List<Rejected> rejected, int[] droppedOut) {
    boolean checkSize = body.length > EventParser.MAX_EVENT_BYTES;
    List<EventParser.Parsed> parsed = new ArrayList<>();
    try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw CandorException.invalid("body", "must be a JSON object");
      }
      boolean batch = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (!field.equals("batch")) {
          throw CandorException.invalid(field, "unknown field; the body is {batch:[...]}");
        }
        if (t != JsonToken.START_ARRAY || batch) {
          throw CandorException.invalid("batch", "required once: an array of events");
        }
        batch = true;
        int i = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (i == MAX_EVENTS) {
            throw new CandorException(
                CandorException.Kind.PAYLOAD_TOO_LARGE,
                "a batch holds at most " + MAX_EVENTS + " events; this one has more");
          }
          if (t == JsonToken.START_OBJECT) {
            EventParser.Result r = parser.read(p, body, checkSize);
            if (r.event() == null) {
              rejected.add(new Rejected(i, r.errors()));
            } else {
              parsed.add(r.event());
            }
          } else {
            EventParser.skip(p);
            rejected.add(
                new Rejected(
                    i, List.of(new CandorException.FieldError("event", "must be a JSON object"))));
          }
          i++;
        }
      }
      if (!batch) {
        throw CandorException.invalid("batch", "required: an array of events");
      }
      if (p.nextToken() != null) {
        throw new CandorException(
            CandorException.Kind.INVALID, "the body is not valid JSON: more after the object");
      }
    } catch (JsonProcessingException e) {
      throw Json.notJson(e);
    } catch (java.io.IOException e) {
      throw new CandorException(CandorException.Kind.INVALID, "the body could not be read");
    }
    Set<String> subjects = new HashSet<>();
    parsed.forEach(p -> subjects.add(p.userId()));
    Set<String> allowed = consent.allowed(subjects);
    // One string and one key lookup per person of the batch: the writer then tells a person's
    // events by identity, and its maps find their hash already computed.
    Map<String, String> people = new HashMap<>();
    Map<String, Optional<Aead>> personKeys = new HashMap<>();
    // The kept events' positions, person by person, in batch order within a person.
    Map<String, List<Integer>> byPerson = new LinkedHashMap<>();
    int dropped = 0;
    for (int i = 0; i < parsed.size(); i++) {
      EventParser.Parsed p = parsed.get(i);
      if (!allowed.contains(p.userId())) {
        dropped++;
        continue;
      }
      String subject = people.computeIfAbsent(p.userId(), s -> s);
      if (personKeys.computeIfAbsent(subject, keys::find).isEmpty()) {
        dropped++;
        continue;
      }
      byPerson.computeIfAbsent(subject, s -> new ArrayList<>()).add(i);
    }
    // Encrypted person by person: the request thread's AES cipher keeps the expanded key of the
    // last key it used, so a person's later events skip the key setup (two thirds of the cost of
    // encrypting a small event on Java 17).
    byte[][] details = new byte[parsed.size()][];
    boolean[] kept = new boolean[parsed.size()];
    for (Map.Entry<String, List<Integer>> person : byPerson.entrySet()) {
      Aead aead = personKeys.get(person.getKey()).orElseThrow();
      for (int i : person.getValue()) {
        kept[i] = true;
        byte[] detail = parsed.get(i).detail();
        if (detail != null) {
          details[i] = FieldCipher.encryptToBytes(aead, person.getKey(), "usage.detail", detail);
        }
      }
    }
    List<UsageEvent> events = new ArrayList<>(parsed.size() - dropped);
    for (int i = 0; i < parsed.size(); i++) {
      if (!kept[i]) {
        continue;
      }
      EventParser.Parsed p = parsed.get(i);
      events.add(
          new UsageEvent(
              people.get(p.userId()),
              p.messageId(),
              UsageEvent.canonicalType(p.type()),
              names.intern(p.name()),
              p.at(),
              service.name(),
              details[i]));
    }
    droppedOut[0] = dropped;
    return events;
  }

  private static Ingestion.Written await(
      java.util.concurrent.CompletableFuture<Ingestion.Written> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CandorException c) {
        throw c;
      }
      throw new CandorException(
          CandorException.Kind.UNAVAILABLE, "the events could not be stored; retry");
    } catch (TimeoutException e) {
      throw new CandorException(
          CandorException.Kind.UNAVAILABLE,
          "storing took too long; retry with the same messageIds (duplicates are ignored)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CandorException(CandorException.Kind.UNAVAILABLE, "interrupted; retry");
    }
  }

  /** Deletes raw events and per-person rollups older than the retention, in the writer. */
  public void purgeExpired() {
    long cutoffMillis = clock.millis() - retention.toMillis();
    ingestion
        .maintenance(
            () -> {
              Retention.purge(db, sessions, cutoffMillis);
              writer.forgetAll();
            })
        .join();
  }

  @Override
  public void close() {
    ingestion.close();
  }
}
