package app.candor.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import app.candor.core.catalog.Purpose;
import app.candor.core.store.Database;
import app.candor.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node trusts a key it read for a short lease only: a rotation or revocation returns only once
 * every lease on the old key has run out, and a change made behind Candor's back takes effect
 * within the lease.
 */
class ServiceKeyLeaseTest {
  @TempDir Path dir;

  private Database open(String kind) {
    return TestDatabases.POSTGRESQL.equals(kind)
        ? Database.postgres(TestDatabases.freshPgSchemaUrl())
        : Database.sqlite(dir.resolve("candor.db"));
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void rotating_and_revoking_return_only_after_the_lease_on_the_old_key_ran_out(String kind) {
    try (Database db = open(kind)) {
      ServiceRegistry registry = new ServiceRegistry(db, Clock.systemUTC());
      ServiceRegistry.Registered svc = registry.register("maps", EnumSet.of(Purpose.LOCATION));
      String old = svc.apiKey().orElseThrow();
      assertThat(registry.authenticate(old)).isPresent();

      long start = System.nanoTime();
      String fresh = registry.rotateKey(svc.id()).apiKey().orElseThrow();
      long rotating = System.nanoTime() - start;

      assertThat(Duration.ofNanos(rotating)).isGreaterThanOrEqualTo(ServiceRegistry.LEASE);
      assertThat(registry.authenticate(old)).isEmpty();
      assertThat(registry.authenticate(fresh)).isPresent();

      start = System.nanoTime();
      registry.revoke(svc.id());
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(ServiceRegistry.LEASE);
      assertThat(registry.authenticate(fresh)).isEmpty();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @MethodSource("app.candor.testing.TestDatabases#kinds")
  void a_key_ended_behind_candors_back_is_refused_within_the_lease(String kind)
      throws InterruptedException {
    try (Database db = open(kind)) {
      ServiceRegistry registry = new ServiceRegistry(db, Clock.systemUTC());
      ServiceRegistry.Registered svc = registry.register("maps", EnumSet.of(Purpose.LOCATION));
      String key = svc.apiKey().orElseThrow();
      long leased = System.nanoTime();
      assertThat(registry.authenticate(key)).isPresent();

      db.useTransaction(
          h -> h.execute("UPDATE services SET key_hash = 'by-hand' WHERE id = ?", svc.id()));
      boolean answeredFromMemory = registry.authenticate(key).isPresent();
      long elapsed = System.nanoTime() - leased;
      Thread.sleep(ServiceRegistry.LEASE.toMillis() + 20);

      assertThat(registry.authenticate(key)).isEmpty();
      // Within the lease the key was answered from memory (unless this machine stalled that long).
      Assumptions.assumeTrue(elapsed < ServiceRegistry.LEASE.toNanos() / 2);
      assertThat(answeredFromMemory).isTrue();
    }
  }
}
