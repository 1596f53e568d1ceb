package app.candor.http;

import app.candor.core.access.Access;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.catalog.Purpose;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.errors.CandorException;
import app.candor.core.errors.Validation;
import app.candor.personal.Person;
import app.candor.personal.PersonalService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** People: create, read for a purpose, update; and their consents. */
public record UserRoutes(PurposeGate gate, PersonalService people, ConsentLedger consents)
    implements HttpServer.Module {

  /** Reading consents: the person, services with account (relaying), operators (logged). */
  static final Access CONSENTS =
      Access.forPurpose("consents", Purpose.ACCOUNT, "personal.consents").withOperators();

  /** Deciding: the person, services with account relaying the person's choice; not operators. */
  static final Access DECIDE =
      Access.forPurpose("consent decisions", Purpose.ACCOUNT, "personal.consents");

  static final String PURPOSE_DOC =
      "Required for services and operators: the purpose of this read, one of " + Purpose.allIds();

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> personInput =
        Schemas.object(
            List.of(),
            "name",
            Schemas.string("1-200 characters (required at creation)"),
            "phone",
            Schemas.string("E.164, e.g. +14155550123 (phone or email required)"),
            "email",
            Schemas.string("an email address"),
            "birthDate",
            Schemas.nullableString("YYYY-MM-DD, not in the future"),
            "gender",
            Schemas.nullableString("free text, up to 50 characters"),
            "occupation",
            Schemas.nullableString("free text, up to 100 characters"));
    Map<String, Object> person =
        Schemas.object(
            List.of("id"),
            "id",
            Schemas.string("person id"),
            "name",
            Schemas.nullableString("name"),
            "phone",
            Schemas.nullableString("E.164 phone"),
            "email",
            Schemas.nullableString("email"),
            "birthDate",
            Schemas.nullableString("YYYY-MM-DD"),
            "gender",
            Schemas.nullableString("gender"),
            "occupation",
            Schemas.nullableString("occupation"),
            "phoneVerified",
            Schemas.nullableString("when the phone was verified"),
            "emailVerified",
            Schemas.nullableString("when the email was verified"));
    api.post(
        "/v1/users",
        Op.of("people", "Create a person")
            .callers("service with account", "admin")
            .request(personInput)
            .ok(201, "created; the body has every field", person)
            .error(400, "invalid fields, each named in errors")
            .error(401, "no or bad token")
            .error(403, "the key lacks the account purpose")
            .error(409, "the phone or email is already registered")
            .error(413, "body too large"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          if (caller instanceof Caller.User) {
            throw CandorException.forbidden("people are created by services, not by people");
          }
          Map<String, Optional<String>> input = input(Requests.object(ctx), people, true);
          Person created = people.create(caller, input);
          Map<String, Object> out = Maps.of("id", created.id());
          out.putAll(created.values());
          out.put("createdAt", created.createdAt());
          ctx.status(201).json(out);
        });
    api.get(
        "/v1/users/{id}",
        Op.of("people", "Read a person: everything for the person, the purpose's fields otherwise")
            .callers("the user", "service with the purpose", "admin with a purpose")
            .header("Candor-Purpose", PURPOSE_DOC)
            .ok(200, "the fields the purpose may read", person)
            .error(400, "no or unknown Candor-Purpose")
            .error(401, "no or bad token")
            .error(403, "purpose not allowed for the key, or not consented")
            .error(404, "no such person (or not yours)"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          // The busiest read: the request's thread is not held while its entry commits.
          java.util.concurrent.CompletableFuture<Map<String, Object>> answer =
              gate.readOneLater(
                  caller,
                  Requests.id(ctx),
                  Requests.purposeHeader(ctx),
                  PersonalService.PROFILE,
                  people::read);
          ctx.future(() -> answer.thenAccept(ctx::json));
        });
    api.patch(
        "/v1/users/{id}",
        Op.of("people", "Update a person's fields (null clears birthDate, gender, occupation)")
            .callers("the user", "service with account", "admin")
            .request(personInput)
            .ok(200, "the person after the change", person)
            .error(400, "invalid fields")
            .error(401, "no or bad token")
            .error(403, "the key lacks the account purpose")
            .error(404, "no such person")
            .error(409, "the phone or email belongs to someone else"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          ObjectNode body = Requests.object(ctx);
          Map<String, Optional<String>> changes = input(body, people, false);
          // The answer is a read of what the change left, for account: logged like one.
          ctx.json(
              gate.read(
                  caller,
                  id,
                  Optional.empty(),
                  PersonalService.CHANGE,
                  grant -> {
                    people.update(grant, changes);
                    return people.read(grant).orElseThrow(() -> CandorException.notFound("person"));
                  }));
        });

    Map<String, Object> consent =
        Schemas.object(
            List.of("purpose", "granted", "required"),
            "purpose",
            Schemas.string("purpose id"),
            "granted",
            Schemas.bool("whether the purpose is on"),
            "level",
            Schemas.string(
                "location: precise or approximate; nearby_discovery: everyone or friends"),
            "required",
            Schemas.bool("true when it cannot be withdrawn"),
            "updatedAt",
            Schemas.nullableString("when the person last decided; null = default"),
            "source",
            Schemas.nullableString("who recorded the decision"));
    api.get(
        "/v1/users/{id}/consents",
        Op.of("consents", "A person's consents, defaults included")
            .callers("the user", "service with account", "admin")
            .ok(
                200,
                "all purposes",
                Schemas.object(List.of("consents"), "consents", Schemas.array(consent)))
            .error(401, "no or bad token")
            .error(403, "the key lacks the account purpose")
            .error(404, "no such person"),
        ctx -> {
          List<ConsentLedger.State> states =
              gate.read(
                  requests.signedIn(ctx),
                  Requests.id(ctx),
                  Optional.empty(),
                  CONSENTS,
                  gate::consents);
          ctx.json(Map.of("consents", states.stream().map(UserRoutes::view).toList()));
        });
    api.put(
        "/v1/users/{id}/consents/{purpose}",
        Op.of("consents", "Grant or withdraw a purpose (takes effect at once)")
            .callers("the user", "service with account (relaying the person's choice)")
            .request(
                Schemas.object(
                    List.of("granted"),
                    "granted",
                    Schemas.bool("true to grant, false to withdraw"),
                    "level",
                    Schemas.string(
                        "when granting: location precise or approximate (required); nearby_discovery everyone (default) or friends")))
            .ok(200, "the new state", consent)
            .error(400, "unknown purpose, bad body or level")
            .error(401, "no or bad token")
            .error(403, "operators cannot decide for a person")
            .error(404, "no such person")
            .error(409, "this purpose cannot be withdrawn"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          gate.change(caller, id, DECIDE);
          Purpose purpose = Requests.purpose(ctx.pathParam("purpose"), "purpose");
          ObjectNode body = Requests.object(ctx);
          Validation v = new Validation();
          Requests.onlyFields(body, v, "granted", "level");
          Optional<Boolean> granted = Requests.requiredBoolean(body, "granted", v);
          JsonNode levelNode = body.get("level");
          Optional<String> level = Optional.empty();
          if (levelNode != null && !levelNode.isNull()) {
            if (!levelNode.isTextual()) {
              v.add("level", "must be a string: precise, approximate, everyone or friends");
            } else {
              level = Optional.of(levelNode.asText());
            }
          }
          v.throwIfInvalid();
          String source = caller.label();
          ctx.json(view(consents.decide(id, purpose, granted.orElseThrow(), level, source)));
        });
    api.get(
        "/v1/users/{id}/consents/history",
        Op.of("consents", "Every consent decision, oldest first")
            .callers("the user", "service with account", "admin")
            .ok(
                200,
                "the history",
                Schemas.object(
                    List.of("events"),
                    "events",
                    Schemas.array(
                        Schemas.object(
                            List.of("purpose", "granted", "source", "at"),
                            "purpose",
                            Schemas.string("purpose id"),
                            "granted",
                            Schemas.bool("decision"),
                            "level",
                            Schemas.string("location or nearby_discovery level"),
                            "source",
                            Schemas.string("user, or service:<name>"),
                            "at",
                            Schemas.string("ISO-8601 instant")))))
            .error(401, "no or bad token")
            .error(403, "the key lacks the account purpose")
            .error(404, "no such person"),
        ctx -> {
          List<ConsentLedger.Event> history =
              gate.read(
                  requests.signedIn(ctx),
                  Requests.id(ctx),
                  Optional.empty(),
                  CONSENTS,
                  gate::consentHistory);
          ctx.json(
              Map.of(
                  "events",
                  history.stream()
                      .map(
                          e -> {
                            Map<String, Object> m =
                                Maps.of("purpose", e.purpose().id(), "granted", e.granted());
                            e.level().ifPresent(l -> m.put("level", l));
                            m.put("source", e.source());
                            m.put("at", e.at());
                            return m;
                          })
                      .toList()));
        });
  }

  /**
   * The body's fields as text. When some have the wrong type, the values of the others are checked
   * too, so one answer names every bad field.
   */
  private static Map<String, Optional<String>> input(
      ObjectNode body, PersonalService people, boolean creating) {
    List<CandorException.FieldError> errors = new ArrayList<>();
    Map<String, Optional<String>> typed = Requests.strings(body, errors);
    if (!errors.isEmpty()) {
      Set<String> named = new HashSet<>();
      errors.forEach(f -> named.add(f.field()));
      people.problems(typed, creating).stream()
          .filter(f -> !named.contains(f.field()))
          .forEach(errors::add);
      throw CandorException.invalid(errors);
    }
    return typed;
  }

  private static Map<String, Object> view(ConsentLedger.State s) {
    Map<String, Object> m = Maps.of("purpose", s.purpose().id(), "granted", s.granted());
    s.level().ifPresent(l -> m.put("level", l));
    m.put("required", s.required());
    m.put("updatedAt", s.updatedAt().orElse(null));
    m.put("source", s.source().orElse(null));
    return m;
  }
}
