package app.candor.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.candor.core.errors.CandorException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's group commit: each item gets its writer's answer once its group is durable, a full
 * queue answers 503 at once, a failed group fails its items only, and the next group goes on.
 */
class GroupCommitTest {
  @TempDir Path dir;

  private static void table(Database db) {
    db.useTransaction(h -> h.execute("CREATE TABLE items (v INTEGER NOT NULL)"));
  }

  private static long rows(Database db) {
    return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM items").mapTo(Long.class).one());
  }

  @Test
  void each_item_gets_its_answer_once_the_group_is_stored() {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      try (GroupCommit<Integer, String> commits =
          new GroupCommit<>(
              "test",
              db,
              (h, group) -> {
                List<String> out = new ArrayList<>();
                for (int v : group) {
                  h.execute("INSERT INTO items (v) VALUES (?)", v);
                  out.add("stored " + v);
                }
                return out;
              },
              100,
              1_000)) {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          futures.add(commits.submit(i));
        }
        for (int i = 0; i < 50; i++) {
          assertThat(commits.await(futures.get(i))).isEqualTo("stored " + i);
        }
        assertThat(rows(db)).isEqualTo(50);
      }
    }
  }

  @Test
  void a_full_queue_answers_503_at_once_and_stores_nothing_of_it() throws Exception {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      CountDownLatch writing = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (GroupCommit<Integer, Void> commits =
          new GroupCommit<>(
              "test",
              db,
              GroupCommit.silent(
                  (h, group) -> {
                    writing.countDown();
                    try {
                      release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    group.forEach(v -> h.execute("INSERT INTO items (v) VALUES (?)", v));
                  }),
              1,
              2)) {
        CompletableFuture<Void> first = commits.submit(1);
        assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> second = commits.submit(2);
        CompletableFuture<Void> third = commits.submit(3);
        CompletableFuture<Void> fourth = commits.submit(4); // the queue holds two
        assertThat(fourth).isCompletedExceptionally();
        assertThatThrownBy(() -> commits.await(fourth))
            .isInstanceOf(CandorException.class)
            .satisfies(
                e ->
                    assertThat(((CandorException) e).kind())
                        .isEqualTo(CandorException.Kind.UNAVAILABLE));
        release.countDown();
        commits.await(first);
        commits.await(second);
        commits.await(third);
        assertThat(rows(db)).isEqualTo(3);
      }
    }
  }

  @Test
  void a_failed_group_fails_its_items_only() {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      try (GroupCommit<Integer, Void> commits =
          new GroupCommit<>(
              "test",
              db,
              GroupCommit.silent(
                  (h, group) -> {
                    group.forEach(v -> h.execute("INSERT INTO items (v) VALUES (?)", v));
                    if (group.contains(-1)) {
                      throw new IllegalStateException("bad item");
                    }
                  }),
              1,
              100)) {
        assertThatThrownBy(() -> commits.commit(-1)).isInstanceOf(CandorException.class);
        commits.commit(7);
        assertThat(rows(db)).as("the failed group rolled back whole").isEqualTo(1);
      }
    }
  }

  @Test
  void a_writer_that_answers_the_wrong_number_of_items_fails_the_group() {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      try (GroupCommit<Integer, String> commits =
          new GroupCommit<>(
              "test",
              db,
              (h, group) -> {
                group.forEach(v -> h.execute("INSERT INTO items (v) VALUES (?)", v));
                return List.of();
              },
              10,
              100)) {
        assertThatThrownBy(() -> commits.commit(1)).isInstanceOf(CandorException.class);
        assertThat(rows(db)).as("rolled back").isZero();
      }
    }
  }

  @Test
  void a_bounded_future_fails_with_503_when_its_group_fails_and_passes_a_domain_error_as_is() {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      try (GroupCommit<Integer, Void> commits =
          new GroupCommit<>(
              "test",
              db,
              GroupCommit.silent(
                  (h, group) -> {
                    group.forEach(v -> h.execute("INSERT INTO items (v) VALUES (?)", v));
                    if (group.contains(-1)) {
                      throw new IllegalStateException("bad item");
                    }
                    if (group.contains(-2)) {
                      throw CandorException.notFound("item");
                    }
                  }),
              1,
              100)) {
        CompletableFuture<Void> failed = commits.submitBounded(-1);
        CompletableFuture<Void> refused = commits.submitBounded(-2);
        CompletableFuture<Void> stored = commits.submitBounded(5);
        assertThatThrownBy(failed::join)
            .hasCauseInstanceOf(CandorException.class)
            .satisfies(
                e ->
                    assertThat(((CandorException) e.getCause()).kind())
                        .isEqualTo(CandorException.Kind.UNAVAILABLE));
        assertThatThrownBy(refused::join)
            .satisfies(
                e ->
                    assertThat(((CandorException) e.getCause()).kind())
                        .isEqualTo(CandorException.Kind.NOT_FOUND));
        stored.join();
        assertThat(rows(db)).as("only the good item's group").isEqualTo(1);
      }
    }
  }

  @Test
  void a_bounded_future_of_a_closed_writer_fails_with_503_at_once() {
    try (Database db = Database.sqlite(dir.resolve("g.db"))) {
      table(db);
      GroupCommit<Integer, Void> commits =
          new GroupCommit<>(
              "test",
              db,
              GroupCommit.silent(
                  (h, group) ->
                      group.forEach(v -> h.execute("INSERT INTO items (v) VALUES (?)", v))),
              1,
              100);
      commits.close();
      CompletableFuture<Void> late = commits.submitBounded(1);
      assertThat(late).isCompletedExceptionally();
      assertThatThrownBy(() -> GroupCommit.await(late, "test"))
          .isInstanceOf(CandorException.class)
          .hasMessageContaining("shutting down");
      assertThat(rows(db)).isZero();
    }
  }
}
