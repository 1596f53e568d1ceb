package app.candor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layers of ARCHITECTURE.md, checked on the main classes. */
@AnalyzeClasses(packages = "app.candor", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String[] DOMAINS = {
    "app.candor.personal..",
    "app.candor.usage..",
    "app.candor.location..",
    "app.candor.payment..",
    "app.candor.communication..",
    "app.candor.marketing.."
  };

  @ArchTest
  static final ArchRule core_knows_no_domain_no_privacy_no_http_and_no_cli =
      noClasses()
          .that()
          .resideInAPackage("app.candor.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "app.candor.personal..",
              "app.candor.usage..",
              "app.candor.location..",
              "app.candor.payment..",
              "app.candor.communication..",
              "app.candor.marketing..",
              "app.candor.privacy..",
              "app.candor.http..",
              "app.candor.cli..",
              "io.javalin..",
              "org.eclipse.jetty..",
              "picocli..");

  @ArchTest
  static final ArchRule core_does_not_reach_up_to_the_composition_root =
      noClasses()
          .that()
          .resideInAPackage("app.candor.core..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("app.candor.Candor");

  @ArchTest
  static final ArchRule domains_know_neither_http_nor_cli =
      noClasses()
          .that()
          .resideInAnyPackage(DOMAINS)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.javalin..",
              "org.eclipse.jetty..",
              "picocli..",
              "app.candor.http..",
              "app.candor.cli..");

  @ArchTest
  static final ArchRule domains_do_not_depend_on_each_other =
      slices()
          .matching("app.candor.(personal|usage|location|payment|communication|marketing)..")
          .should()
          .notDependOnEachOther();

  @ArchTest
  static final ArchRule privacy_does_not_depend_on_any_domain_nor_on_the_edges =
      noClasses()
          .that()
          .resideInAPackage("app.candor.privacy..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "app.candor.personal..",
              "app.candor.usage..",
              "app.candor.location..",
              "app.candor.payment..",
              "app.candor.communication..",
              "app.candor.marketing..",
              "app.candor.http..",
              "app.candor.cli..",
              "io.javalin..",
              "picocli..");

  @ArchTest
  static final ArchRule only_the_http_edge_and_the_composition_root_use_javalin =
      noClasses()
          .that()
          .resideOutsideOfPackage("app.candor.http..")
          .and()
          .doNotHaveFullyQualifiedName("app.candor.Candor")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..");

  /**
   * One gate: the edges read a person's data only through {@link
   * app.candor.core.access.PurposeGate}, which hands readers a grant and logs the read. These are
   * the readers that take a bare person id (for the domains' own use); an edge calling one would
   * skip the gate.
   */
  @ArchTest
  static final ArchRule the_edges_read_people_only_through_the_gate =
      noClasses()
          .that()
          .resideInAnyPackage("app.candor.http..", "app.candor.cli..")
          .should()
          .callMethodWhere(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "a reader of a person's data that takes a bare id",
                  call -> {
                    String owner = call.getTargetOwner().getFullName();
                    String name = call.getName();
                    return (owner.equals("app.candor.core.consent.ConsentLedger")
                            && java.util.Set.of("current", "history", "state").contains(name))
                        || (owner.equals("app.candor.core.audit.AccessLog")
                            && name.equals("entries"))
                        || (owner.equals("app.candor.personal.PersonalService")
                            && java.util.Set.of("find", "names", "fieldTimes").contains(name))
                        || (owner.equals("app.candor.core.crypto.SubjectKeys")
                            && name.equals("find"));
                  }));

  /**
   * No package depends on itself through others: the composition root builds the edges and hands
   * them what they use, so no edge reaches back to it, and no part of the core reaches up.
   */
  @ArchTest
  static final ArchRule no_package_cycles =
      slices().matching("app.candor.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule the_edges_do_not_reach_back_to_the_composition_root =
      noClasses()
          .that()
          .resideInAnyPackage("app.candor.http..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("app.candor.Candor");

  /**
   * The composition root builds, the edges receive: a command opens, starts and closes Candor and
   * takes the record of services it uses ({@link app.candor.CommandServices}); it never picks
   * services out of Candor one by one, so Candor does not grow into a service locator. (Candor's
   * remaining getters are for tests that look inside.)
   */
  @ArchTest
  static final ArchRule the_edges_only_open_start_and_close_candor_and_take_the_command_records =
      noClasses()
          .that()
          .resideOutsideOfPackage("app.candor")
          .should()
          .accessTargetWhere(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "a method of Candor other than open, withOutbox, start, close, version and the"
                      + " command records (banner, demo, bench, keys, ledger)",
                  access ->
                      access.getTargetOwner().getFullName().equals("app.candor.Candor")
                          && !java.util.Set.of(
                                  "open",
                                  "withOutbox",
                                  "start",
                                  "close",
                                  "version",
                                  "banner",
                                  "demo",
                                  "bench",
                                  "keys",
                                  "ledger")
                              .contains(access.getName())));

  @ArchTest
  static final ArchRule only_the_cli_edge_and_main_use_picocli =
      noClasses()
          .that()
          .resideOutsideOfPackage("app.candor.cli..")
          .and()
          .doNotHaveFullyQualifiedName("app.candor.cli.Main")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("picocli..");
}
