package app.candor.http;

import app.candor.communication.ContactEntry;
import app.candor.communication.Contacts;
import app.candor.core.access.Grant;
import app.candor.core.access.PurposeGate;
import app.candor.core.auth.Caller;
import app.candor.core.errors.Validation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A person's contact list: upload (replacing it), read, withdraw. The person, or a service with
 * {@code messaging} on their behalf, through the purpose gate; a service's upload and withdrawal
 * are logged in the person's access log, and each person on the app shown in an answer is counted
 * into theirs.
 */
public record ContactRoutes(PurposeGate gate, Contacts contacts) implements HttpServer.Module {

  @Override
  public void register(Api api, Requests requests) {
    Map<String, Object> stored =
        Schemas.object(
            List.of("stored", "onApp"),
            "stored",
            Schemas.integer("how many entries the list holds"),
            "onApp",
            Schemas.array(
                Schemas.object(
                    List.of("userId", "name"),
                    "userId",
                    Schemas.string("person id"),
                    "name",
                    Schemas.string("their name on the app"))));

    api.put(
        "/v1/users/{id}/contacts",
        Op.of("communication", "Upload the person's address book, replacing the list")
            .callers("the person", "service with messaging")
            .request(
                Schemas.any(
                    "{contacts: [{phone? (E.164), email?, name?}]}: each entry a phone, an email"
                        + " or both; at most "
                        + Contacts.MAX_ENTRIES
                        + " entries, and at most "
                        + Contacts.DAILY_NEW
                        + " addresses new to the list a day"))
            .ok(
                200,
                "stored as keyed blind indexes with names encrypted; onApp lists the people on the"
                    + " app whose phone or email is in it",
                stored)
            .error(400, "a bad field, named (contacts[i].phone, contacts[i].email, contacts)")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such person (or not yours)")
            .error(413, "the body is larger than allowed")
            .error(429, "past the daily limit of new addresses (nothing stored)"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          List<ContactEntry> entries = entries(Requests.object(ctx));
          Grant grant = gate.change(caller, id, Contacts.MANAGE);
          Contacts.Stored out = contacts.replace(grant, entries);
          gate.changed(grant);
          ctx.json(json(out));
        });

    api.get(
        "/v1/users/{id}/contacts",
        Op.of("communication", "The person's contact list: its size and who in it is on the app")
            .callers("the person", "service with messaging")
            .ok(200, "the list (empty until an upload)", stored)
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such person (or not yours)"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          Contacts.Stored out =
              gate.read(caller, id, Optional.empty(), Contacts.MANAGE, contacts::list);
          ctx.json(json(out));
        });

    api.delete(
        "/v1/users/{id}/contacts",
        Op.of("communication", "Withdraw the contact list: it is deleted")
            .callers("the person", "service with messaging")
            .ok(204, "deleted (or there was none)")
            .error(401, "no or bad token")
            .error(403, "not a service key with messaging")
            .error(404, "no such person (or not yours)"),
        ctx -> {
          Caller caller = requests.signedIn(ctx);
          String id = Requests.id(ctx);
          Grant grant = gate.change(caller, id, Contacts.MANAGE);
          contacts.withdraw(grant);
          gate.changed(grant);
          ctx.status(204);
        });
  }

  /** The body's entries, each property checked for its JSON type; 400 naming each bad one. */
  private static List<ContactEntry> entries(ObjectNode body) {
    Validation v = new Validation();
    Requests.onlyFields(body, v, "contacts");
    JsonNode list = body.get("contacts");
    if (list == null || !list.isArray()) {
      v.add("contacts", "required: an array of {phone?, email?, name?}");
      v.throwIfInvalid();
    }
    if (list.size() > Contacts.MAX_ENTRIES) {
      v.add("contacts", "at most " + Contacts.MAX_ENTRIES + " entries");
      v.throwIfInvalid();
    }
    List<ContactEntry> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String at = "contacts[" + i + "]";
      if (!e.isObject()) {
        v.add(at, "must be an object {phone?, email?, name?}");
        continue;
      }
      Validation entry = v.nested(at + ".");
      Requests.onlyFields((ObjectNode) e, entry, "phone", "email", "name");
      out.add(
          new ContactEntry(
              text(e, "phone", entry), text(e, "email", entry), text(e, "name", entry)));
    }
    v.throwIfInvalid();
    return out;
  }

  private static Optional<String> text(JsonNode entry, String field, Validation v) {
    JsonNode node = entry.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      v.add(field, "must be a string");
      return Optional.empty();
    }
    return Optional.of(node.asText());
  }

  private static Map<String, Object> json(Contacts.Stored s) {
    List<Map<String, Object>> onApp = new ArrayList<>();
    for (Contacts.OnApp p : s.onApp()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("userId", p.userId());
      m.put("name", p.name());
      onApp.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("stored", s.stored());
    out.put("onApp", onApp);
    return out;
  }
}
