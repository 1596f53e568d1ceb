package app.candor.bench;

import app.candor.location.PlaceImport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The location benchmark's work, the same for Candor and Redis: people at home positions around the
 * largest cities of the bundled sample (a normal spread of 2 km), each update moving one person
 * anywhere within about 300 m of home (so a person stays within four ~1 km grid squares, under
 * Candor's probing limit of 12 squares an hour), timestamped now; people-nearby queries of a random
 * person, radius 5 km, at most 20. The requests are made here for both protocols, so that both
 * servers get the same people, positions and questions.
 */
final class GeoLoad {
  /** Half a side of the square an update lands in, in degrees of latitude (about 300 m). */
  private static final double JITTER_DEG = 0.0027;

  final List<String> ids;
  final double[] lat;
  final double[] lon;
  final int cities;

  private GeoLoad(List<String> ids, double[] lat, double[] lon, int cities) {
    this.ids = ids;
    this.lat = lat;
    this.lon = lon;
    this.cities = cities;
  }

  /** {@code ids.size()} people, shared out over the {@code cities} largest sample cities. */
  static GeoLoad around(List<String> ids, int cities) throws Exception {
    List<double[]> centres = new ArrayList<>();
    byte[] csv = GeoLoad.class.getResourceAsStream("/places/cities-sample.csv").readAllBytes();
    PlaceImport.csv(csv).forEach(d -> centres.add(new double[] {d.lat(), d.lon()}));
    int n = Math.min(cities, centres.size());
    Random random = new Random(42);
    double[] lat = new double[ids.size()];
    double[] lon = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      double[] c = centres.get(i % n);
      lat[i] = c[0] + random.nextGaussian() * 2 / 111.2;
      lon[i] = c[1] + random.nextGaussian() * 2 / (111.2 * Math.cos(Math.toRadians(c[0])));
    }
    return new GeoLoad(ids, lat, lon, n);
  }

  /** Even people consent to the precise level, odd ones to the approximate. */
  static boolean precise(int person) {
    return person % 2 == 0;
  }

  int size() {
    return ids.size();
  }

  /** A position of {@code person} within about 300 m of home: {lat, lon}, 6 decimals. */
  double[] move(int person, Random random) {
    double dLat = (random.nextDouble() * 2 - 1) * JITTER_DEG;
    double dLon =
        (random.nextDouble() * 2 - 1) * JITTER_DEG / Math.cos(Math.toRadians(lat[person]));
    return new double[] {round6(lat[person] + dLat), round6(lon[person] + dLon)};
  }

  private static double round6(double d) {
    return Math.round(d * 1e6) / 1e6;
  }

  // ------------------------------------------------------------------ Candor, HTTP/1.1

  /** {@code POST /v1/users/{id}/locations}, one update. */
  byte[] candorUpdate(int person, Random random, String key) {
    double[] p = move(person, random);
    String body =
        "{\"lat\":"
            + p[0]
            + ",\"lon\":"
            + p[1]
            + ",\"accuracyM\":"
            + (5 + random.nextInt(45))
            + ",\"timestamp\":\""
            + Instant.ofEpochMilli(System.currentTimeMillis())
            + "\"}";
    return http("POST", "/v1/users/" + ids.get(person) + "/locations", key, body);
  }

  /** {@code POST /v1/locations}: {@code n} updates of random people. */
  byte[] candorBatch(int n, Random random, String key) {
    StringBuilder sb = new StringBuilder(n * 130).append("{\"batch\":[");
    String now = "\"" + Instant.ofEpochMilli(System.currentTimeMillis()) + "\"";
    for (int i = 0; i < n; i++) {
      int person = random.nextInt(size());
      double[] p = move(person, random);
      sb.append(i == 0 ? "" : ",")
          .append("{\"userId\":\"")
          .append(ids.get(person))
          .append("\",\"lat\":")
          .append(p[0])
          .append(",\"lon\":")
          .append(p[1])
          .append(",\"accuracyM\":")
          .append(5 + random.nextInt(45))
          .append(",\"timestamp\":")
          .append(now)
          .append('}');
    }
    return http("POST", "/v1/locations", key, sb.append("]}").toString());
  }

  /** {@code GET /v1/users/{id}/nearby/people?radiusKm=5&limit=20}. */
  byte[] candorNearby(int person, String key) {
    return http(
        "GET", "/v1/users/" + ids.get(person) + "/nearby/people?radiusKm=5&limit=20", key, null);
  }

  /** {@code POST /v1/events}: {@code n} track and screen events of random people, for reference. */
  byte[] candorEvents(int n, Random random, String key) {
    StringBuilder sb = new StringBuilder(n * 330).append("{\"batch\":[");
    long now = System.currentTimeMillis();
    for (int i = 0; i < n; i++) {
      int feature = Features.pick(random);
      sb.append(i == 0 ? "" : ",")
          .append("{\"messageId\":\"")
          .append(new UUID(random.nextLong(), random.nextLong()))
          .append("\",\"userId\":\"")
          .append(ids.get(random.nextInt(size())))
          .append("\",\"type\":\"")
          .append(Features.type(feature))
          .append("\",\"name\":\"")
          .append(Features.NAMES[feature])
          .append("\",\"timestamp\":\"")
          .append(Instant.ofEpochMilli(now - random.nextInt(5_000)))
          .append("\",\"properties\":{\"source\":\"home\",\"position\":")
          .append(random.nextInt(20))
          .append("},\"context\":{\"device\":\"Pixel 8\",\"os\":\"Android 15\",")
          .append("\"appVersion\":\"8.0.51\",\"locale\":\"en-US\"}}");
    }
    return http("POST", "/v1/events", key, sb.append("]}").toString());
  }

  static byte[] http(String method, String path, String key, String body, String... headers) {
    StringBuilder sb =
        new StringBuilder(256)
            .append(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
            .append(key)
            .append("\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) {
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      sb.append("Content-Type: application/json\r\nContent-Length: ")
          .append(content.length)
          .append("\r\n");
    }
    byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + content.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(content, 0, out, head.length, content.length);
    return out;
  }

  /** The number after {@code "field":} in a JSON answer (0 if absent). */
  static long jsonNumber(byte[] body, String field) {
    String text = new String(body, StandardCharsets.UTF_8);
    int at = text.indexOf("\"" + field + "\":");
    if (at < 0) {
      return 0;
    }
    int p = at + field.length() + 3;
    int q = p;
    while (q < text.length() && Character.isDigit(text.charAt(q))) {
      q++;
    }
    return q == p ? 0 : Long.parseLong(text.substring(p, q));
  }

  /** How often {@code "field":} occurs in a JSON answer (the people of a nearby answer). */
  static long occurrences(byte[] body, String field) {
    String text = new String(body, StandardCharsets.UTF_8);
    String token = "\"" + field + "\":";
    long n = 0;
    for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
      n++;
    }
    return n;
  }

  // ------------------------------------------------------------------ Redis, RESP

  /** {@code GEOADD key lon lat member}: one update. */
  byte[] redisUpdate(String key, int person, Random random) {
    double[] p = move(person, random);
    return Wire.Resp.command(
        "GEOADD", key, Double.toString(p[1]), Double.toString(p[0]), ids.get(person));
  }

  /** {@code GEOADD key lon lat member ...}: {@code n} updates of random people in one command. */
  byte[] redisBatch(String key, int n, Random random) {
    String[] args = new String[2 + 3 * n];
    args[0] = "GEOADD";
    args[1] = key;
    for (int i = 0; i < n; i++) {
      int person = random.nextInt(size());
      double[] p = move(person, random);
      args[2 + 3 * i] = Double.toString(p[1]);
      args[3 + 3 * i] = Double.toString(p[0]);
      args[4 + 3 * i] = ids.get(person);
    }
    return Wire.Resp.command(args);
  }

  /**
   * {@code GEOSEARCH key FROMMEMBER member BYRADIUS 5 km ASC COUNT 21}: Redis lists the viewer too
   * (at 0 km), Candor does not, so 21 asks both for up to 20 other people.
   */
  byte[] redisNearby(String key, int person) {
    return Wire.Resp.command(
        "GEOSEARCH",
        key,
        "FROMMEMBER",
        ids.get(person),
        "BYRADIUS",
        "5",
        "km",
        "ASC",
        "COUNT",
        "21");
  }
}
