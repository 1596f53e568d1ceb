package app.candor.cli;

import app.candor.CommandServices;
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
  public static Map<String, String> services(CommandServices.Demo demo) {
    Map<String, String> keys = new LinkedHashMap<>();
    SERVICES.forEach(
        (name, purposes) -> {
          ServiceRegistry.Registered s =
              demo.services()
                  .byName(name)
                  .map(existing -> demo.services().rotateKey(existing.id()))
                  .orElseGet(() -> demo.services().register(name, purposes));
          keys.put(name, s.apiKey().orElseThrow());
        });
    return keys;
  }

  /** Creates {@code count} people with consents, unless people exist already. */
  public static int people(CommandServices.Demo demo, int count, long seed) {
    if (!demo.people().sampleIds(1).isEmpty()) {
      return 0;
    }
    Random random = new Random(seed);
    List<Map<String, Optional<String>>> inputs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inputs.add(person(i, random));
    }
    List<Person> created = demo.people().createAll(inputs);
    for (Person person : created) {
      decide(demo, person.id(), Purpose.ANALYTICS, random.nextInt(100) < 45, Optional.empty());
      decide(
          demo, person.id(), Purpose.PERSONALIZATION, random.nextInt(100) < 35, Optional.empty());
      if (random.nextInt(100) < 30) {
        decide(
            demo,
            person.id(),
            Purpose.LOCATION,
            true,
            Optional.of(random.nextBoolean() ? "precise" : "approximate"));
        decide(
            demo,
            person.id(),
            Purpose.NEARBY_DISCOVERY,
            random.nextInt(100) < 50,
            Optional.empty());
      }
      decide(
          demo, person.id(), Purpose.PERSONALIZED_ADS, random.nextInt(100) < 25, Optional.empty());
    }
    return created.size();
  }

  /** Features of the demo app, most popular first (uses follow a Zipf-like curve). */
  private static final String[] FEATURES = {
    "send_message",
    "open_chat",
    "view_moments",
    "scan_qr",
    "pay",
    "voice_call",
    "video_call",
    "mini_program",
    "search",
    "share_photo",
    "red_packet",
    "nearby"
  };

  private static final String[] SCREENS = {"chats", "contacts", "discover", "me", "wallet"};

  /**
   * Positions for people nearby: about a third of the demo people consent to location (most of them
   * precisely) and most of those to being visible nearby, each with a position update in central
   * Paris (a normal spread of about 3 km) from the last half hour. Returns how many.
   */
  public static int locations(CommandServices.Demo demo, long seed) {
    Random random = new Random(seed);
    var maps = new app.candor.core.auth.Caller.Service("demo", "maps", SERVICES.get("maps"));
    int stored = 0;
    long now = System.currentTimeMillis();
    for (String id : demo.people().sampleIds(Integer.MAX_VALUE)) {
      if (random.nextInt(3) != 0) {
        continue;
      }
      String level = random.nextInt(4) == 0 ? "approximate" : "precise";
      demo.consents().decide(id, Purpose.LOCATION, true, Optional.of(level), "demo");
      if (random.nextInt(5) != 0) {
        demo.consents().decide(id, Purpose.NEARBY_DISCOVERY, true, Optional.empty(), "demo");
      }
      var update =
          new app.candor.location.Position(
              48.8566 + random.nextGaussian() * 3 / 111.2,
              2.3522 + random.nextGaussian() * 3 / 73.1,
              (double) (5 + random.nextInt(40)),
              now - random.nextInt(1_800_000));
      demo.location()
          .updates()
          .store(
              demo.gate().change(maps, id, app.candor.location.PositionUpdates.UPDATES),
              List.of(update));
      stored++;
    }
    return stored;
  }

  /**
   * Gives one demo person in five a card, a first top-up and a few payments to other demo people,
   * through the payment services (checks, fraud scores, the ledger) as the pay service would.
   * Returns how many transfers were answered.
   */
  public static int payments(CommandServices.Demo demo, long seed) {
    Random random = new Random(seed);
    var pay = new app.candor.core.auth.Caller.Service("demo", "pay", SERVICES.get("pay"));
    var payments = demo.payments();
    List<String> people = demo.people().sampleIds(Integer.MAX_VALUE);
    int moved = 0;
    for (int i = 0; i < people.size(); i++) {
      if (random.nextInt(5) != 0 || people.size() < 2) {
        continue;
      }
      String id = people.get(i);
      var grant = demo.gate().change(pay, id, app.candor.payment.Transfers.MOVE);
      String digits = String.format(java.util.Locale.ROOT, "4%014d", 700_000_000L + i);
      String number;
      try {
        number =
            digits
                + org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit.LUHN_CHECK_DIGIT
                    .calculate(digits);
      } catch (org.apache.commons.validator.routines.checkdigit.CheckDigitException e) {
        throw new IllegalStateException(e);
      }
      String method =
          payments
              .methods()
              .add(grant, new app.candor.payment.MethodInput.Card(number, 12, 2030, "123", "Demo"))
              .id();
      String currency = payments.currency();
      payments.move(
          grant,
          Optional.of("demo-top-up-" + id),
          new app.candor.payment.TransferRequest(
              "top_up",
              id,
              Optional.empty(),
              Optional.empty(),
              new app.candor.payment.Money(5_000 + random.nextInt(15_000), currency),
              Optional.of(method),
              Optional.empty(),
              Optional.empty()));
      moved++;
      for (int k = random.nextInt(4); k > 0; k--) {
        String to = people.get(random.nextInt(people.size()));
        if (to.equals(id)) {
          continue;
        }
        try {
          payments.move(
              demo.gate().change(pay, id, app.candor.payment.Transfers.MOVE),
              Optional.of("demo-" + id + "-" + k),
              new app.candor.payment.TransferRequest(
                  "transfer",
                  id,
                  Optional.of(to),
                  Optional.empty(),
                  new app.candor.payment.Money(100 + random.nextInt(2_000), currency),
                  Optional.empty(),
                  Optional.of(NOTES[random.nextInt(NOTES.length)]),
                  Optional.empty()));
          moved++;
        } catch (app.candor.core.errors.CandorException e) {
          // Not enough left in the wallet (402): a demo person simply pays less.
        }
      }
    }
    return moved;
  }

  private static final String[] CHAT = {
    "are we still on for lunch tomorrow?",
    "running ten minutes late, sorry",
    "can you send me the photos from saturday",
    "the meeting moved to 3pm, same room",
    "happy birthday!! have a great day",
    "I left the keys with the neighbour",
    "ok see you there",
    "call me when you land"
  };

  /**
   * Puts the demo people in direct conversations with each other and a few groups, and sends a few
   * messages in each through the messages service (screened, encrypted, durable) as the chat
   * service would; one of them is spam, so the operators' queue has something in it. Returns how
   * many messages were stored.
   */
  public static int messages(CommandServices.Demo demo, long seed) {
    Random random = new Random(seed);
    var chat = new app.candor.core.auth.Caller.Service("demo", "chat", SERVICES.get("chat"));
    var communication = demo.communication();
    List<String> people = demo.people().sampleIds(Integer.MAX_VALUE);
    if (people.size() < 3) {
      return 0;
    }
    List<app.candor.communication.Conversation> conversations = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < people.size(); i += 2) {
      conversations.add(
          communication
              .conversations()
              .create("direct", List.of(people.get(i), people.get(i + 1)), Optional.empty())
              .conversation());
    }
    for (int g = 0; g < Math.max(1, people.size() / 20); g++) {
      List<String> members = new java.util.ArrayList<>();
      for (int k = 0; k < 5; k++) {
        String id = people.get(random.nextInt(people.size()));
        if (!members.contains(id)) {
          members.add(id);
        }
      }
      if (members.size() >= 2) {
        conversations.add(
            communication
                .conversations()
                .create("group", members, Optional.of("Weekend plans " + (g + 1)))
                .conversation());
      }
    }
    int sent = 0;
    for (var conversation : conversations) {
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        String from = conversation.members().get(random.nextInt(conversation.members().size()));
        String text =
            sent == 3
                ? "CONGRATULATIONS!!! You won a FREE $1000 gift card, claim it now at"
                    + " http://prize.example.com"
                : CHAT[random.nextInt(CHAT.length)];
        var grant = demo.gate().change(chat, from, app.candor.communication.Messages.SEND);
        communication
            .messages()
            .sendLater(
                grant,
                new app.candor.communication.MessageInput(
                    conversation.id(),
                    from,
                    "demo-" + sent,
                    "text",
                    Optional.of(text),
                    Optional.empty()))
            .join();
        sent++;
      }
    }
    return sent;
  }

  private static final String[] NOTES = {"lunch", "taxi", "concert tickets", "groceries", "rent"};

  /**
   * Generates {@code days} days of usage for the demo people who consented to analytics, through
   * the real ingestion path: each person has a daily habit (how likely they open the app), some
   * churn after a while, sessions of a few minutes, and favourite features.
   */
  public static int usage(CommandServices.Demo demo, int days, long seed) {
    Random random = new Random(seed);
    app.candor.core.auth.Caller.Service feed =
        new app.candor.core.auth.Caller.Service(
            "demo", "feed", EnumSet.of(Purpose.ANALYTICS, Purpose.PERSONALIZATION));
    long now = java.time.Instant.now().toEpochMilli();
    long dayMillis = 86_400_000L;
    long today = Math.floorDiv(now, dayMillis);
    List<String> people = demo.people().sampleIds(100_000);
    var mapper = app.candor.core.json.Json.mapper();
    var batch = mapper.createArrayNode();
    int sent = 0;
    long seq = 0;
    for (String id : people) {
      double habit = 0.15 + 0.8 * random.nextDouble();
      int churnDay = random.nextInt(100) < 20 ? random.nextInt(days) : Integer.MAX_VALUE;
      int joinDay = random.nextInt(100) < 70 ? 0 : random.nextInt(days);
      for (int d = joinDay; d < days; d++) {
        double p = d > churnDay ? habit * 0.1 : habit;
        if (random.nextDouble() > p) {
          continue;
        }
        long dayStart = (today - days + 1 + d) * dayMillis;
        int sessions = 1 + random.nextInt(3);
        for (int s = 0; s < sessions; s++) {
          long t = dayStart + (7 + random.nextInt(15)) * 3_600_000L + random.nextInt(3_600_000);
          if (t > now) {
            continue;
          }
          int events = 3 + random.nextInt(12);
          for (int e = 0; e < events && t <= now; e++) {
            var event = mapper.createObjectNode();
            event.put("messageId", "demo-" + (seq++));
            event.put("userId", id);
            if (e % 4 == 0) {
              event.put("type", "screen");
              event.put("name", SCREENS[random.nextInt(SCREENS.length)]);
            } else {
              event.put("type", "track");
              int f =
                  (int)
                      Math.min(
                          FEATURES.length - 1, Math.floor(-Math.log(random.nextDouble()) * 2.2));
              event.put("name", FEATURES[f]);
            }
            event.put("timestamp", java.time.Instant.ofEpochMilli(t).toString());
            var context = event.putObject("context");
            context.put("os", random.nextBoolean() ? "android" : "ios");
            context.put("appVersion", "8.0." + random.nextInt(5));
            batch.add(event);
            t += 10_000 + random.nextInt(110_000);
            if (batch.size() == 500) {
              sent += send(demo, feed, batch);
              batch = mapper.createArrayNode();
            }
          }
        }
      }
    }
    if (!batch.isEmpty()) {
      sent += send(demo, feed, batch);
    }
    return sent;
  }

  private static int send(
      CommandServices.Demo demo,
      app.candor.core.auth.Caller caller,
      com.fasterxml.jackson.databind.node.ArrayNode batch) {
    var body = app.candor.core.json.Json.mapper().createObjectNode();
    body.set("batch", batch);
    try {
      // The same checks as over HTTP, body size included.
      byte[] bytes = app.candor.core.json.Json.mapper().writeValueAsBytes(body);
      return demo.usage().ingest(caller, bytes).accepted();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void decide(
      CommandServices.Demo demo,
      String id,
      Purpose purpose,
      boolean granted,
      Optional<String> level) {
    if (granted) {
      demo.consents().decide(id, purpose, true, level, "demo");
    }
  }
}
