package app.candor.cli;

import app.candor.Candor;
import app.candor.core.auth.ServiceRegistry;
import app.candor.core.catalog.Purpose;
import app.candor.personal.Person;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible demo data set: the super app's services and a few hundred people with personal
 * information and a realistic spread of consents. Names are synthetic; phone numbers come from
 * ranges reserved for fiction or never assigned to people in practice.
 */
public final class DemoData {

  /** The demo services and the purposes their keys may claim. */
  public static final Map<String, Set<Purpose>> SERVICES = new LinkedHashMap<>();

  static {
    SERVICES.put("chat", EnumSet.of(Purpose.ACCOUNT, Purpose.MESSAGING, Purpose.SAFETY));
    SERVICES.put("pay", EnumSet.of(Purpose.ACCOUNT, Purpose.PAYMENTS, Purpose.SAFETY));
    SERVICES.put("maps", EnumSet.of(Purpose.LOCATION, Purpose.NEARBY_DISCOVERY));
    SERVICES.put("ads", EnumSet.of(Purpose.PERSONALIZED_ADS, Purpose.ANALYTICS));
    SERVICES.put("feed", EnumSet.of(Purpose.PERSONALIZATION, Purpose.ANALYTICS));
  }

  private static final String[] FIRST = {
    "Ana", "Bo", "Chen", "Dara", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wei",
        "Xavi",
    "Yuki", "Zara"
  };
  private static final String[] LAST = {
    "Almeida", "Brandt", "Chowdhury", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Li", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi",
    "Santos", "Tanaka", "Ueda", "Varga", "Wang", "Yilmaz", "Zhou"
  };
  private static final String[] GENDERS = {"female", "male", "non-binary", "prefers not to say"};
  private static final String[] JOBS = {
    "teacher",
    "nurse",
    "software engineer",
    "driver",
    "student",
    "designer",
    "farmer",
    "chef",
    "accountant",
    "shop owner",
    "retired",
    "doctor"
  };

  private DemoData() {}

  /** One synthetic person, number {@code i} of a seeded sequence. */
  public static Map<String, Optional<String>> person(int i, Random random) {
    String first = FIRST[random.nextInt(FIRST.length)];
    String last = LAST[random.nextInt(LAST.length)];
    Map<String, Optional<String>> p = new LinkedHashMap<>();
    p.put("name", Optional.of(first + " " + last));
    // +49 151 is a German mobile range; the 9xxxxxxx block is unlikely to be anyone's.
    p.put("phone", Optional.of(String.format("+49151%08d", 90_000_000 + i)));
    p.put(
        "email",
        Optional.of(first.toLowerCase() + "." + last.toLowerCase() + "." + i + "@example.org"));
    p.put(
        "birthDate",
        Optional.of(
            String.format(
                "%d-%02d-%02d",
                1950 + random.nextInt(55), 1 + random.nextInt(12), 1 + random.nextInt(28))));
    if (random.nextInt(10) < 8) {
      p.put("gender", Optional.of(GENDERS[random.nextInt(GENDERS.length)]));
    }
    if (random.nextInt(10) < 7) {
      p.put("occupation", Optional.of(JOBS[random.nextInt(JOBS.length)]));
    }
    return p;
  }

  /** Registers the demo services, or rotates their keys when they exist; returns name to key. */
  public static Map<String, String> services(Candor candor) {
    Map<String, String> keys = new LinkedHashMap<>();
    List<String> existing =
        candor.services().list().stream().map(ServiceRegistry.Registered::name).toList();
    SERVICES.forEach(
        (name, purposes) -> {
          ServiceRegistry.Registered s =
              existing.contains(name)
                  ? candor.services().rotateKey(name).orElseThrow()
                  : candor.services().register(name, purposes);
          keys.put(name, s.apiKey().orElseThrow());
        });
    return keys;
  }

  /** Creates {@code count} people with consents, unless people exist already. */
  public static int people(Candor candor, int count, long seed) {
    if (!candor.people().sampleIds(1).isEmpty()) {
      return 0;
    }
    Random random = new Random(seed);
    List<Map<String, Optional<String>>> inputs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inputs.add(person(i, random));
    }
    List<Person> created = candor.people().createAll(inputs);
    for (Person person : created) {
      decide(candor, person.id(), Purpose.ANALYTICS, random.nextInt(100) < 45, Optional.empty());
      decide(
          candor, person.id(), Purpose.PERSONALIZATION, random.nextInt(100) < 35, Optional.empty());
      if (random.nextInt(100) < 30) {
        decide(
            candor,
            person.id(),
            Purpose.LOCATION,
            true,
            Optional.of(random.nextBoolean() ? "precise" : "approximate"));
        decide(
            candor,
            person.id(),
            Purpose.NEARBY_DISCOVERY,
            random.nextInt(100) < 50,
            Optional.empty());
      }
      decide(
          candor,
          person.id(),
          Purpose.PERSONALIZED_ADS,
          random.nextInt(100) < 25,
          Optional.empty());
    }
    return created.size();
  }

  private static void decide(
      Candor candor, String id, Purpose purpose, boolean granted, Optional<String> level) {
    if (granted) {
      candor.consents().decide(id, purpose, true, level, "demo");
    }
  }
}
