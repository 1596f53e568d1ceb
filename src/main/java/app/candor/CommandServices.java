package app.candor;

import app.candor.core.access.PurposeGate;
import app.candor.core.auth.AdminToken;
import app.candor.core.auth.ServiceRegistry;
import app.candor.core.config.Config;
import app.candor.core.consent.ConsentLedger;
import app.candor.core.crypto.MasterKey;
import app.candor.core.crypto.SubjectKeys;
import app.candor.core.store.Database;
import app.candor.location.LocationService;
import app.candor.location.PlaceService;
import app.candor.personal.CodeDelivery;
import app.candor.personal.PersonalService;
import app.candor.privacy.PrivacyService;
import app.candor.privacy.Transparency;
import app.candor.usage.UsageService;

/**
 * What the commands of the command-line edge receive from the composition root: one record per
 * command, holding the services it uses and nothing else, the way each HTTP route module is a
 * record of its services. {@link Candor} builds them ({@link Candor#banner()}, {@link
 * Candor#demo()}, {@link Candor#bench()}, {@link Candor#keys()}); the commands never see the rest
 * of the graph.
 */
public final class CommandServices {
  private CommandServices() {}

  /**
   * What the start banner reports: the address and database in force, how sign-in codes go out, and
   * the admin token when this start generated it.
   */
  public record Banner(Config config, CodeDelivery codes, AdminToken adminToken) {}

  /**
   * What {@code demo} writes its data set through (services, people, consents, usage, positions,
   * places, payments, conversations), refreshes the transparency page with, and samples for its
   * hints.
   */
  public record Demo(
      PersonalService people,
      ConsentLedger consents,
      ServiceRegistry services,
      UsageService usage,
      LocationService location,
      PlaceService places,
      app.candor.payment.Payments payments,
      app.candor.communication.Communication communication,
      PurposeGate gate,
      Transparency transparency) {}

  /**
   * What {@code bench} measures: creating people, exporting and erasing them through the gate, and
   * the database it fills the access log of directly.
   */
  public record Bench(
      PersonalService people,
      ConsentLedger consents,
      PurposeGate gate,
      PrivacyService privacy,
      Database database) {}

  /** What {@code ledger verify} recomputes: every balance from the transfers. */
  public record LedgerCheck(app.candor.payment.Payments payments) {}

  /** What {@code rotate-master-key} changes: the key file and every key it wraps. */
  public record Keys(MasterKey masterKey, SubjectKeys subjectKeys) {}
}
