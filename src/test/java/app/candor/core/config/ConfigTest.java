package app.candor.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigTest {

  private static final String GOOD_TOKEN = "a-long-enough-admin-token-0123";

  @Test
  void without_variables_the_defaults_of_the_product_brief_apply() {
    Config config = Config.fromEnv(Map.of());

    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.dataDir()).isEqualTo(Path.of("./candor-data"));
    assertThat(config.dbUrl()).isEmpty();
    assertThat(config.adminToken()).isEmpty();
    assertThat(config.masterKeyFile()).isEqualTo(Path.of("./candor-data").resolve("master.key"));
    assertThat(config.appName()).isEqualTo("Candor");
    assertThat(config.describeDatabase()).contains("embedded SQLite");
  }

  @Test
  void every_variable_is_read_and_blank_values_count_as_unset() {
    Map<String, String> env = new HashMap<>();
    env.put("CANDOR_PORT", " 9090 ");
    env.put("CANDOR_DATA_DIR", "/var/lib/candor");
    env.put("CANDOR_DB_URL", "jdbc:postgresql://db:5432/candor?user=c&password=hunter22");
    env.put("CANDOR_ADMIN_TOKEN", GOOD_TOKEN);
    env.put("CANDOR_MASTER_KEY_FILE", "/etc/candor/master.key");
    env.put("CANDOR_APP_NAME", "WeApp");
    Config config = Config.fromEnv(env);

    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/candor"));
    assertThat(config.dbUrl())
        .contains("jdbc:postgresql://db:5432/candor?user=c&password=hunter22");
    assertThat(config.adminToken()).contains(GOOD_TOKEN);
    assertThat(config.masterKeyFile()).isEqualTo(Path.of("/etc/candor/master.key"));
    assertThat(config.appName()).isEqualTo("WeApp");
    assertThat(config.describeDatabase()).doesNotContain("hunter22");

    Config blank = Config.fromEnv(Map.of("CANDOR_PORT", " ", "CANDOR_ADMIN_TOKEN", ""));
    assertThat(blank.port()).isEqualTo(8080);
    assertThat(blank.adminToken()).isEmpty();
  }

  @Test
  void the_master_key_defaults_to_the_data_dir() {
    Config config = Config.fromEnv(Map.of("CANDOR_DATA_DIR", "/srv/candor"));
    assertThat(config.masterKeyFile()).isEqualTo(Path.of("/srv/candor/master.key"));
    assertThat(Config.fromEnv(Map.of("CANDOR_PORT", "0")).port()).isZero();
  }

  @Test
  void a_port_out_of_range_is_refused_naming_the_variable_and_the_range() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_PORT", "70000")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_PORT")
        .hasMessageContaining("between 0 and 65535")
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_PORT", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_PORT");
  }

  @Test
  void a_port_that_is_not_a_number_is_refused_with_an_example() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_PORT", "http")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_PORT")
        .hasMessageContaining("must be a number such as 8080")
        .hasMessageContaining("'http'");
  }

  @Test
  void a_database_url_that_is_not_postgresql_or_sqlite_is_refused_with_what_to_do() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_DB_URL", "mysql://db/candor")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_DB_URL")
        .hasMessageContaining("jdbc:postgresql://host:port/db")
        .hasMessageContaining("leave it unset for the embedded database");
  }

  @Test
  void a_short_admin_token_is_refused_with_the_minimum_length_and_the_alternative() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_ADMIN_TOKEN", "short-token")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_ADMIN_TOKEN")
        .hasMessageContaining("at least 24 characters")
        .hasMessageContaining("leave it unset")
        .hasMessageNotContaining("short-token");
  }

  @Test
  void every_problem_is_reported_at_once() {
    Map<String, String> env =
        Map.of("CANDOR_PORT", "x", "CANDOR_DB_URL", "oracle:thin", "CANDOR_ADMIN_TOKEN", "abc");
    assertThatThrownBy(() -> Config.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CANDOR_PORT")
        .hasMessageContaining("CANDOR_DB_URL")
        .hasMessageContaining("CANDOR_ADMIN_TOKEN");
  }

  @Test
  void an_sqlite_url_is_accepted() {
    Config config = Config.fromEnv(Map.of("CANDOR_DB_URL", "jdbc:sqlite:/tmp/x.db"));
    assertThat(config.dbUrl()).isEqualTo(Optional.of("jdbc:sqlite:/tmp/x.db"));
  }

  @Test
  void printing_the_config_masks_the_admin_token_and_every_password_and_secret() {
    Map<String, String> env = new HashMap<>();
    env.put("CANDOR_DB_URL", "jdbc:postgresql://db:5432/candor?user=c&password=hunter22");
    env.put("CANDOR_ADMIN_TOKEN", GOOD_TOKEN);
    env.put("CANDOR_SMTP_URL", "smtp://mailer:smtp-pass-77@mail.example:587?starttls=true");
    env.put("CANDOR_SMS_WEBHOOK_URL", "https://sms.example/send?token=tok-3141");
    env.put("CANDOR_SMS_WEBHOOK_SECRET", "webhook-secret-2718281828");
    Config config = Config.fromEnv(env);

    String printed = config.toString();
    assertThat(printed)
        .doesNotContain("hunter22", GOOD_TOKEN, "smtp-pass-77", "tok-3141", "webhook-secret")
        .contains("db:5432", "mail.example", "sms.example", "****");
    assertThat(config.delivery().smtpUrl()).contains(env.get("CANDOR_SMTP_URL"));
    assertThat(Config.maskUrl("jdbc:postgresql://u:pw@h/db"))
        .isEqualTo("jdbc:postgresql://u:****@h/db");
  }

  @Test
  void delivery_settings_are_checked_at_start() {
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_SMS_WEBHOOK_URL", "https://x/y")))
        .hasMessageContaining("CANDOR_SMS_WEBHOOK_SECRET");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_SMTP_URL", "http://mail")))
        .hasMessageContaining("CANDOR_SMTP_URL");
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_CODE_SENDER", "outbox")))
        .hasMessageContaining("CANDOR_CODE_SENDER");
    assertThat(Config.fromEnv(Map.of("CANDOR_CODE_SENDER", "none")).delivery().disabled()).isTrue();
    assertThat(Config.fromEnv(Map.of()).delivery().hasSender()).isFalse();
  }

  @Test
  void the_dedupe_bound_defaults_to_about_two_gib_and_stops_where_the_hash_table_would() {
    assertThat(Config.fromEnv(Map.of()).usage().dedupeMaxIds()).isEqualTo(100_000_000);
    assertThat(
            Config.fromEnv(Map.of("CANDOR_USAGE_DEDUPE_MAX_IDS", "800000000"))
                .usage()
                .dedupeMaxIds())
        .isEqualTo(800_000_000);
    assertThatThrownBy(() -> Config.fromEnv(Map.of("CANDOR_USAGE_DEDUPE_MAX_IDS", "800000001")))
        .hasMessageContaining("CANDOR_USAGE_DEDUPE_MAX_IDS must be between 1 and 800000000");
  }
}
