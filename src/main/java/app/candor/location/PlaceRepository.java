package app.candor.location;

import app.candor.core.store.Database;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The {@code places} table. */
final class PlaceRepository {
  private static final int BATCH = 1_000;

  private final Database database;

  PlaceRepository(Database database) {
    this.database = database;
  }

  /** Inserts every place in one transaction: all of them are stored, or none. */
  void insertAll(List<Place> places, String source, long createdAt) {
    database.useTransaction(
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO places (id, name, category, lat, lon, source, created_at)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?)");
          for (int i = 0; i < places.size(); i++) {
            Place p = places.get(i);
            batch.add(p.id(), p.name(), p.category(), p.lat(), p.lon(), source, createdAt);
            if ((i + 1) % BATCH == 0) {
              batch.execute();
            }
          }
          if (places.size() % BATCH != 0) {
            batch.execute();
          }
        });
  }

  List<Place> all() {
    return database.withHandle(
        h -> {
          List<Place> out = new ArrayList<>();
          h.createQuery("SELECT id, name, category, lat, lon FROM places")
              .setFetchSize(10_000)
              .map(
                  (rs, ctx) ->
                      new Place(
                          rs.getString(1),
                          rs.getString(2),
                          rs.getString(3),
                          rs.getDouble(4),
                          rs.getDouble(5)))
              .forEach(out::add);
          return out;
        });
  }

  long count() {
    return database.withHandle(
        h -> h.createQuery("SELECT COUNT(*) FROM places").mapTo(Long.class).one());
  }
}
