package app.candor.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One shared fixture per kind of database ("sqlite", "postgresql"), made on first use, so a
 * parameterized test class starts one server per database instead of one per case.
 */
public final class PerDatabase<W extends AutoCloseable> {
  private final Function<String, W> factory;
  private final Map<String, W> fixtures = new ConcurrentHashMap<>();

  public PerDatabase(Function<String, W> factory) {
    this.factory = factory;
  }

  public W get(String kind) {
    return fixtures.computeIfAbsent(kind, factory);
  }

  /** Closes every fixture made; call it from an {@code @AfterAll}. */
  public void closeAll() throws Exception {
    for (W fixture : fixtures.values()) {
      fixture.close();
    }
    fixtures.clear();
  }
}
