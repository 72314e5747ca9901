#define BOOST_TEST_MODULE config_loader
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"
#include "daemon/config/env_overrides.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

namespace hc = helix::config;
namespace json = boost::json;
using hc::ConfigIssue;
using hc::Environment;
using hc::test::dump;
using hc::test::issues_of;
using hc::test::kBaseDir;
using hc::test::kFile;
using hc::test::load;
using std::chrono::milliseconds;

namespace {

// Joins lines with '\n' so the index in the list + 1 is the YAML line number.
std::string yaml(std::initializer_list<std::string_view> lines) {
    std::string text;
    for (const std::string_view line : lines) {
        text.append(line).push_back('\n');
    }
    return text;
}


// Exactly one issue, in kFile at `line`, whose reason contains `text`.
void expect_one(const std::vector<ConfigIssue> &issues, int line, std::string_view text) {
    BOOST_TEST_REQUIRE(issues.size() == 1U, "expected one issue, got:" << dump(issues));
    BOOST_TEST(issues[0].file == kFile);
    BOOST_TEST(issues[0].line == line, "line " << issues[0].line << " != " << line << ":" << dump(issues));
    BOOST_TEST(issues[0].reason.find(text) != std::string::npos,
               "'" << text << "' not in:" << dump(issues));
}

bool has_issue(const std::vector<ConfigIssue> &issues, const std::string &file, int line, std::string_view text) {
    for (const ConfigIssue &issue : issues) {
        if (issue.file == file && issue.line == line && issue.reason.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

json::object settings_of(const hc::Config &config, const std::string &provider) {
    const hc::ProviderConfig *p = config.find_provider(provider);
    BOOST_TEST_REQUIRE(p != nullptr, "provider " << provider << " missing");
    const json::value parsed = json::parse(p->settings_json);
    BOOST_TEST_REQUIRE(parsed.is_object(), p->settings_json);
    return parsed.as_object();
}

std::vector<std::string> names(const std::vector<hc::ProviderConfig> &providers) {
    std::vector<std::string> result;
    for (const auto &p : providers) {
        result.push_back(p.name);
    }
    return result;
}

using Strings = std::vector<std::string>;

hc::SettingSpec row(std::string name, hc::SettingType type = hc::SettingType::String) {
    hc::SettingSpec spec;
    spec.name = std::move(name);
    spec.type = type;
    return spec;
}

hc::SettingSpec secret_row(std::string name) {
    hc::SettingSpec spec = row(std::move(name));
    spec.secret = true;
    return spec;
}

// Settings tables by library file name, as a loaded plugin would give them;
// counts the loads, and refuses a library it does not know as the real
// source does (a one-line reason naming the file).
class FakeSchemas final : public hc::PluginSchemaSource {
public:
    void add(const std::string &file, const std::string &plugin, std::vector<hc::SettingSpec> rows) {
        hc::PluginSchema schema;
        schema.plugin = plugin;
        schema.settings = std::move(rows);
        schema.library = std::make_shared<const std::string>(file);
        tables_[file] = std::move(schema);
    }
    hc::PluginSchema schema(const std::string &library_path) override {
        ++loads;
        const std::string file = std::filesystem::path(library_path).filename().string();
        const auto found = tables_.find(file);
        if (found == tables_.end()) throw std::runtime_error(library_path + ": no such plugin file");
        return found->second;
    }
    int loads = 0;

private:
    std::map<std::string, hc::PluginSchema> tables_;
};

} // namespace

// --- valid files ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(full_file_sets_every_field) {
    const std::string text = yaml({
        "server:",                            // 1
        "  listen: 127.0.0.1",                // 2
        "  port: 8088",                       // 3
        "  max_connections: 100",             // 4
        "  max_queued_connections: 0",        // 5
        "  thread_stack: 512KiB",             // 6
        "  max_body: 10MB",                   // 7
        "  max_header: 32KiB",                // 8
        "  read_timeout: 1m30s",              // 9
        "  write_timeout: 500ms",             // 10
        "  keep_alive_timeout: 2m",           // 11
        "  drain_timeout: 0",                 // 12
        "log:",                               // 13
        "  level: debug",                     // 14
        "  format: json",                     // 15
        "api_keys:",                          // 16
        "  - sk-client-one",                  // 17
        "  - name: ci",                       // 18
        "    key: sk-client-two",             // 19
        "  - \"\"",                           // 20 skipped
        "plugin_dir: plugins",                // 21 relative to base dir
        "providers:",                         // 22
        "  primary: [openai, anthropic]",     // 23
        "  fallback:",                        // 24
        "    - aws-bedrock",                  // 25
        "plugins:",                           // 26
        "  openai:",                          // 27
        "    library: helix_openai",          // 28
        "    timeout: 2m",                    // 29
        "  anthropic:",                       // 30
        "    library: custom.so",             // 31
        "    connect_timeout: 3s",            // 32
        "  aws-bedrock:",                     // 33
        "    library: /opt/helix/libbed.so",  // 34
        "    enabled: true",                  // 35
        "    settings:",                      // 36
        "      region: us-east-1",            // 37
        "  azure-openai:",                    // 38
        "    library: ./local/../local/libazure.so", // 39
        "  gcp-vertex:",                      // 40
        "    enabled: false",                 // 41
        "    library: whatever",              // 42
    });
    const hc::ConfigPtr config = load(text);
    BOOST_TEST(config->source_file == kFile);
    const hc::ServerSettings &s = config->server;
    BOOST_TEST(s.listen_address == "127.0.0.1");
    BOOST_TEST(s.port == 8088);
    BOOST_TEST(s.max_connections == 100U);
    BOOST_TEST(s.max_queued_connections == 0U);
    BOOST_TEST(s.thread_stack_bytes == 512U * 1024U);
    BOOST_TEST(s.max_body_bytes == 10'000'000U);
    BOOST_TEST(s.max_header_bytes == 32U * 1024U);
    BOOST_TEST(s.read_timeout.count() == 90'000);
    BOOST_TEST(s.write_timeout.count() == 500);
    BOOST_TEST(s.keep_alive_timeout.count() == 120'000);
    BOOST_TEST(s.drain_timeout.count() == 0);
    BOOST_TEST(config->log.level == "debug");
    BOOST_TEST(config->log.format == "json");

    BOOST_TEST_REQUIRE(config->api_keys.size() == 2U);
    BOOST_TEST(config->api_keys[0].name == "key-1");
    BOOST_TEST((config->api_keys[0].digest == hc::digest_of_key("sk-client-one")));
    BOOST_TEST(config->api_keys[1].name == "ci");
    BOOST_TEST((config->api_keys[1].digest == hc::digest_of_key("sk-client-two")));

    BOOST_TEST(config->plugin_dir == "/etc/helix/plugins");
    BOOST_TEST(names(config->providers) == (Strings{"openai", "anthropic", "aws-bedrock", "azure-openai"}));
    BOOST_TEST(config->primary == (Strings{"openai", "anthropic"}));
    BOOST_TEST(config->fallback == (Strings{"aws-bedrock"}));

    const hc::ProviderConfig *openai = config->find_provider("openai");
    BOOST_TEST_REQUIRE(openai != nullptr);
    BOOST_TEST(openai->library_path == "/etc/helix/plugins/libhelix_openai.so");
    BOOST_TEST(openai->timeout.count() == 120'000);
    BOOST_TEST(openai->connect_timeout.count() == 10'000); // default
    BOOST_TEST(openai->settings_json == "{}");
    BOOST_TEST(openai->source == "test.yaml:27");

    const hc::ProviderConfig *anthropic = config->find_provider("anthropic");
    BOOST_TEST_REQUIRE(anthropic != nullptr);
    BOOST_TEST(anthropic->library_path == "/etc/helix/plugins/custom.so");
    BOOST_TEST(anthropic->timeout.count() == 60'000); // default
    BOOST_TEST(anthropic->connect_timeout.count() == 3'000);

    const hc::ProviderConfig *bedrock = config->find_provider("aws-bedrock");
    BOOST_TEST_REQUIRE(bedrock != nullptr);
    BOOST_TEST(bedrock->library_path == "/opt/helix/libbed.so");
    BOOST_TEST(bedrock->source == "test.yaml:33");
    BOOST_TEST(json::parse(bedrock->settings_json) == json::parse(R"({"region":"us-east-1"})"));

    const hc::ProviderConfig *azure = config->find_provider("azure-openai");
    BOOST_TEST_REQUIRE(azure != nullptr);
    BOOST_TEST(azure->library_path == "/etc/helix/local/libazure.so");

    BOOST_TEST(config->find_provider("gcp-vertex") == nullptr); // disabled: skipped entirely
    BOOST_TEST(config->find_provider("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(overload_limits_are_read_and_the_in_flight_default_stays_below_max_connections) {
    const auto set = *load(yaml({"server:", "  max_connections: 64", "  max_in_flight: 48",
                                     "  request_read_timeout: 20s"}));
    BOOST_TEST(set.server.max_in_flight == 48U);
    BOOST_TEST(set.server.request_read_timeout.count() == 20'000);
    const auto defaults = *load("");
    BOOST_TEST(defaults.server.max_in_flight == 1024U);
    BOOST_TEST(defaults.server.request_read_timeout.count() == 60'000);
    // Lowering max_connections alone lowers the default limit with it.
    BOOST_TEST(load(yaml({"server:", "  max_connections: 100"}))->server.max_in_flight == 99U);
}

BOOST_AUTO_TEST_CASE(empty_file_is_valid_with_defaults) {
    for (const std::string &text : {std::string{}, std::string{"# only a comment\n"}, yaml({"server:", "plugins:"})}) {
        const hc::ConfigPtr config = load(text);
        const hc::ServerSettings defaults;
        BOOST_TEST(config->server.port == defaults.port);
        BOOST_TEST(config->server.listen_address == "127.0.0.1");
        BOOST_TEST(config->server.max_body_bytes == defaults.max_body_bytes);
        BOOST_TEST(config->log.level == "information");
        BOOST_TEST(config->api_keys.empty());
        BOOST_TEST(config->providers.empty());
        BOOST_TEST(config->primary.empty());
        BOOST_TEST(config->plugin_dir == "/usr/lib/helixagent/plugins");
    }
}

BOOST_AUTO_TEST_CASE(library_defaults_to_the_provider_name) {
    const hc::ConfigPtr config = load(yaml({"plugins:", "  aws-bedrock:", "  gcp-vertex: {timeout: 5s}"}));
    BOOST_TEST(config->find_provider("aws-bedrock")->library_path ==
               "/usr/lib/helixagent/plugins/libhelix_aws_bedrock.so");
    BOOST_TEST(config->find_provider("gcp-vertex")->library_path ==
               "/usr/lib/helixagent/plugins/libhelix_gcp_vertex.so");
    BOOST_TEST(config->find_provider("gcp-vertex")->timeout.count() == 5'000);
}

BOOST_AUTO_TEST_CASE(plugin_dir_is_read_before_plugins_whatever_the_order) {
    const hc::ConfigPtr config =
        load(yaml({"plugins:", "  openai:", "    library: helix_openai", "plugin_dir: /srv/plugins/"}));
    BOOST_TEST(config->find_provider("openai")->library_path == "/srv/plugins/libhelix_openai.so");
}

BOOST_AUTO_TEST_CASE(settings_keep_yaml_types) {
    const hc::ConfigPtr config = load(
        yaml({
            "plugins:",
            "  openai:",
            "    settings:",
            "      text: hello",
            "      integer: 3",
            "      negative: -7",
            "      plus: +5",
            "      big: 18446744073709551615",
            "      huge: 99999999999999999999",
            "      ratio: 0.25",
            "      exponent: 1e3",
            "      yes_bool: true",
            "      no_bool: FALSE",
            "      yes_word: yes",
            "      quoted: \"42\"",
            "      single: 'true'",
            "      tagged: !!str 5",
            "      leading_zero: 007",
            "      infinity: .inf",
            "      from_env: ${N}",
            "      quoted_env: \"${N}\"",
            "      nothing: ~",
            "      empty:",
            "      nested:",
            "        models: [a, 2, {deep: false}]",
            "        headers: {x-a: b}",
        }),
        {{"N", "8080"}});
    const json::object settings = settings_of(*config, "openai");
    const json::value expected = json::parse(R"({
        "text": "hello", "integer": 3, "negative": -7, "plus": 5,
        "big": 18446744073709551615, "huge": "99999999999999999999",
        "ratio": 0.25, "exponent": 1000.0, "yes_bool": true, "no_bool": false,
        "yes_word": "yes", "quoted": "42", "single": "true", "tagged": "5",
        "leading_zero": "007", "infinity": ".inf", "from_env": 8080, "quoted_env": "8080",
        "nothing": null, "empty": null,
        "nested": {"models": ["a", 2, {"deep": false}], "headers": {"x-a": "b"}}})");
    BOOST_TEST(json::value(settings) == expected, json::serialize(settings));
    BOOST_TEST(settings.at("integer").is_int64());
    BOOST_TEST(settings.at("big").is_uint64());
    BOOST_TEST(settings.at("exponent").is_double());
}

BOOST_AUTO_TEST_CASE(disabled_plugin_is_not_read_beyond_its_keys) {
    // Its unset variable is not an error: a disabled provider must not need credentials.
    const hc::ConfigPtr config = load(yaml({
        "plugins:",
        "  gcp-vertex:",
        "    enabled: false",
        "    timeout: ${GCP_TIMEOUT}",
        "    settings:",
        "      project_id: ${GCP_PROJECT}",
    }));
    BOOST_TEST(config->providers.empty());
    BOOST_TEST(config->find_provider("gcp-vertex") == nullptr);
}

// --- environment references --------------------------------------------------------

BOOST_AUTO_TEST_CASE(env_references_are_expanded_before_conversion) {
    const Environment env{{"PORT", "9001"}, {"STACK", "1MiB"}, {"KEY", "sk-from-env"}, {"REGION", "eu-west-1"}};
    const hc::ConfigPtr config = load(yaml({
                                          "server:",
                                          "  port: ${PORT}",
                                          "  thread_stack: ${STACK}",
                                          "  read_timeout: ${READ_TIMEOUT:-45s}",
                                          "log:",
                                          "  level: ${LOG_LEVEL:-warning}",
                                          "api_keys:",
                                          "  - ${KEY}",
                                          "  - ${UNSET_KEY:-}",
                                          "plugins:",
                                          "  aws-bedrock:",
                                          "    enabled: ${BEDROCK_ON:-true}",
                                          "    settings:",
                                          "      region: ${REGION:-us-east-1}",
                                          "      url: https://${HOST:-bedrock.local}:$${literal}",
                                      }),
                                      env);
    BOOST_TEST(config->server.port == 9001);
    BOOST_TEST(config->server.thread_stack_bytes == 1024U * 1024U);
    BOOST_TEST(config->server.read_timeout.count() == 45'000);
    BOOST_TEST(config->log.level == "warning");
    BOOST_TEST_REQUIRE(config->api_keys.size() == 1U); // the empty default is skipped
    BOOST_TEST((config->api_keys[0].digest == hc::digest_of_key("sk-from-env")));
    const json::object settings = settings_of(*config, "aws-bedrock");
    BOOST_TEST(settings.at("region").as_string() == "eu-west-1");
    BOOST_TEST(settings.at("url").as_string() == "https://bedrock.local:${literal}");
}

BOOST_AUTO_TEST_CASE(unset_env_reference_is_an_error_at_its_line) {
    expect_one(issues_of(yaml({"server:", "  listen: 0.0.0.0", "  port: ${NOPE_PORT}"})), 3,
               "server.port: environment variable 'NOPE_PORT' is not set");
    expect_one(issues_of(yaml({"plugins:", "  openai:", "    settings:", "      nested:", "        - ${NOPE}"})), 5,
               "plugins.openai.settings.nested[0]: environment variable 'NOPE' is not set");
}

BOOST_AUTO_TEST_CASE(bad_env_reference_syntax_is_an_error_at_its_line) {
    expect_one(issues_of(yaml({"log:", "  level: debug", "  format: ${"})), 3,
               "log.format: unterminated '${' at column 1");
    expect_one(issues_of(yaml({"plugin_dir: /x/${}"})), 1, "plugin_dir: empty variable reference '${}' at column 4");
}

BOOST_AUTO_TEST_CASE(api_keys_carry_a_scope_and_the_access_log_and_client_label_are_read) {
    const hc::ConfigPtr config = load(yaml({
        "log:",
        "  access: /tmp/../tmp/access.log", // the directory must exist
        "  access_content: true",
        "metrics: {client_label: true}",
        "plugins:",
        "  openai: {}",
        "  anthropic: {}",
        "api_keys:",
        "  - name: team-a",
        "    key: sk-a",
        "    models: [gpt-4o, anthropic/claude-3-5-sonnet]",
        "  - name: team-b",
        "    key: sk-b",
        "    providers: [anthropic]",
        "  - sk-c",
    }));
    BOOST_TEST(config->log.access == "/tmp/access.log");
    BOOST_TEST(config->log.access_content);
    BOOST_TEST(config->metrics.client_label);
    BOOST_TEST_REQUIRE(config->api_keys.size() == 3U);
    BOOST_TEST(config->api_keys[0].models == (Strings{"gpt-4o", "anthropic/claude-3-5-sonnet"}));
    BOOST_TEST(config->api_keys[0].providers.empty());
    BOOST_TEST(config->api_keys[1].providers == (Strings{"anthropic"}));
    BOOST_TEST(config->api_keys[2].models.empty());
    BOOST_TEST(load(yaml({"log: {access: stdout}"}))->log.access == "stdout");
    const hc::ConfigPtr defaults = load(yaml({"log: {level: debug}"}));
    BOOST_TEST(defaults->log.access == "off");
    BOOST_TEST(!defaults->log.access_content);
    BOOST_TEST(!defaults->metrics.client_label);
}

// --- errors, one kind at a time, with their line ------------------------------

struct ErrorCase {
    const char *title;
    std::string text;
    int line;
    const char *reason; // a substring of the one expected reason
};

BOOST_AUTO_TEST_CASE(each_error_kind_is_reported_at_its_line) {
    const std::vector<ErrorCase> cases{
        {"unknown top-level key", yaml({"server:", "  port: 1", "sever: {}"}), 3,
         "unknown key 'sever' at the top level (expected one of: server, upstream, router, log, metrics, media_fetch, api_keys, plugin_dir, "
         "plugins, providers, aliases, prices, lifecycle, scores_file, shared_state)"},
        {"unknown key in server", yaml({"server:", "  port: 1", "  prot: 2"}), 3,
         "unknown key 'prot' in 'server' (expected one of: listen, port, max_connections, max_queued_connections, "
         "thread_stack, max_body, max_header, read_timeout, write_timeout, keep_alive_timeout, drain_timeout, "
         "max_in_flight, request_read_timeout, auth_failure_limit, auth_failure_block, max_reply, threads, tls)"},
        {"unknown key in log", yaml({"log:", "  levle: debug"}), 2,
         "unknown key 'levle' in 'log' (expected one of: level, format, access, access_content)"},
        {"unknown key in a plugin", yaml({"plugins:", "  openai:", "    libary: x"}), 3,
         "unknown key 'libary' in 'plugins.openai' (expected one of: library, enabled, timeout, connect_timeout, "
         "settings, http2, limits)"},
        {"unknown key in a disabled plugin", yaml({"plugins:", "  openai:", "    enabled: false", "    timout: 1s"}), 4,
         "unknown key 'timout' in 'plugins.openai'"},
        {"unknown key in providers", yaml({"providers:", "  secondary: []"}), 2,
         "unknown key 'secondary' in 'providers' (expected one of: primary, fallback)"},
        {"unknown key in an api key", yaml({"api_keys:", "  - name: a", "    key: b", "    role: admin"}), 4,
         "unknown key 'role' in 'api_keys[0]' (expected one of: name, key, models, providers, limits)"},
        {"duplicate key", yaml({"server:", "  port: 1", "  port: 2"}), 3,
         "duplicate key 'port' in 'server' (first at line 2)"},
        {"duplicate section", yaml({"log: {}", "server: {}", "log: {}"}), 3,
         "duplicate key 'log' at the top level (first at line 1)"},
        {"top level not a map", yaml({"- server", "- log"}), 1, "the file must be a map of sections, got a list"},
        {"section not a map", yaml({"log: {}", "server: 8080"}), 2, "'server' must be a map, got a single value"},
        {"value not a scalar", yaml({"server:", "  port: [1, 2]"}), 2,
         "server.port: expected a single value, got a list"},
        {"value missing", yaml({"server:", "  port:", "  listen: ::1"}), 2,
         "server.port: expected a single value, got nothing"},
        {"port too large", yaml({"server:", "  port: 65536"}), 2,
         "server.port: expected a port number 0..65535, got '65536'"},
        {"port negative", yaml({"server:", "  port: -1"}), 2, "server.port: expected a port number 0..65535, got '-1'"},
        {"port text", yaml({"server:", "  port: http"}), 2, "got 'http'"},
        {"listen bad address", yaml({"server:", "  listen: 300.1.1.1"}), 2,
         "server.listen: expected an IPv4/IPv6 address or a host name, got '300.1.1.1'"},
        {"listen bad host", yaml({"server:", "  listen: my host"}), 2, "got 'my host'"},
        {"zero connections", yaml({"server:", "  max_connections: 0"}), 2,
         "server.max_connections: expected a whole number >= 1, got '0'"},
        {"negative queue", yaml({"server:", "  max_queued_connections: -3"}), 2,
         "server.max_queued_connections: expected a whole number >= 0, got '-3'"},
        {"stack too small", yaml({"server:", "  thread_stack: 4KiB"}), 2,
         "server.thread_stack: expected a size of at least 16384 bytes"},
        {"unknown size unit", yaml({"server:", "  max_body: 4XB"}), 2, "server.max_body: expected a size"},
        {"empty size", yaml({"server:", "  max_header: \"\""}), 2, "server.max_header: expected a size"},
        {"zero read timeout", yaml({"server:", "  read_timeout: 0s"}), 2,
         "server.read_timeout: expected a positive duration such as 500ms, 30s, 2m or 1m30s, got '0s'"},
        {"word duration", yaml({"server:", "  write_timeout: ten"}), 2, "server.write_timeout: expected a positive"},
        {"in-flight limit not below the connections", yaml({"server:", "  max_connections: 8", "  max_in_flight: 8"}), 3,
         "server.max_in_flight (8) must be below server.max_connections (8)"},
        {"zero in-flight limit", yaml({"server:", "  max_in_flight: 0"}), 2,
         "server.max_in_flight: expected a whole number >= 1, got '0'"},
        {"zero request read timeout", yaml({"server:", "  request_read_timeout: 0s"}), 2,
         "server.request_read_timeout: expected a positive duration"},
        {"negative duration", yaml({"server:", "  keep_alive_timeout: -1s"}), 2, "got '-1s'"},
        {"fractional duration", yaml({"server:", "  drain_timeout: 1.5s"}), 2,
         "server.drain_timeout: expected a duration such as"},
        {"bad log level", yaml({"log:", "  level: verbose"}), 2,
         "log.level: expected one of trace, debug, information, notice, warning, error, critical, fatal, got "
         "'verbose'"},
        {"bad log format", yaml({"log:", "  format: xml"}), 2, "log.format: expected one of text, json, got 'xml'"},
        {"api_keys not a list", yaml({"api_keys: abc"}), 1, "'api_keys' must be a list, got a single value"},
        {"api key is a list", yaml({"api_keys:", "  - [a, b]"}), 2, "api_keys[0]: expected a single value, got a list"},
        {"api key missing", yaml({"api_keys:", "  - k1", "  - name: ci"}), 3, "api_keys[1]: missing 'key'"},
        {"bad api key name", yaml({"api_keys:", "  - name: has space", "    key: k"}), 2,
         "api_keys[0].name: expected a name of 1-64 letters, digits, '.', '_' or '-', got 'has space'"},
        {"duplicate api key", yaml({"api_keys:", "  - k1", "  - k2", "  - name: again", "    key: k1"}), 5,
         "api_keys[2]: duplicate api key (the same key as at line 2)"},
        {"duplicate api key name", yaml({"api_keys:", "  - name: ci", "    key: k1", "  - name: ci", "    key: k2"}),
         4, "api_keys[1]: duplicate api key name 'ci' (first at line 2)"},
        {"scope models not a list", yaml({"api_keys:", "  - name: a", "    key: b", "    models: gpt-4o"}), 4,
         "api_keys[0].models: expected a non-empty list of model names"},
        {"scope models empty", yaml({"api_keys:", "  - name: a", "    key: b", "    models: []"}), 4,
         "api_keys[0].models: expected a non-empty list of model names"},
        {"scope provider not declared", yaml({"plugins:", "  openai: {}", "api_keys:", "  - name: a", "    key: b",
                                              "    providers: [openai, azure]"}), 6,
         "api_keys[0].providers[1]: provider 'azure' is not a declared, enabled plugin"},
        {"bad access target", yaml({"log:", "  access: /"}), 2,
         "log.access: expected off, stdout, stderr or a file path, got '/'"},
        {"access content not a bool", yaml({"log:", "  access_content: yes"}), 2,
         "log.access_content: expected true or false, got 'yes'"},
        {"unknown key in metrics", yaml({"metrics:", "  client_labels: true"}), 2,
         "unknown key 'client_labels' in 'metrics' (expected one of: client_label)"},
        {"empty plugin_dir", yaml({"plugin_dir: ''"}), 1, "plugin_dir: must not be empty"},
        {"plugins not a map", yaml({"plugins: [openai]"}), 1, "'plugins' must be a map, got a list"},
        {"plugin not a map", yaml({"plugins:", "  openai: helix_openai"}), 2,
         "'plugins.openai' must be a map, got a single value"},
        {"bad plugin name", yaml({"plugins:", "  openai: {}", "  Open_AI: {}"}), 3,
         "plugins: invalid provider name 'Open_AI' (expected [a-z0-9][a-z0-9-]*)"},
        {"duplicate plugin", yaml({"plugins:", "  openai: {}", "  openai: {}"}), 3,
         "duplicate key 'openai' in 'plugins' (first at line 2)"},
        {"bad enabled", yaml({"plugins:", "  openai:", "    enabled: yes"}), 3,
         "plugins.openai.enabled: expected true, false or auto, got 'yes'"},
        {"bad plugin timeout", yaml({"plugins:", "  openai:", "    timeout: 0"}), 3,
         "plugins.openai.timeout: expected a positive duration"},
        {"bad connect timeout", yaml({"plugins:", "  openai:", "    connect_timeout: 10 s"}), 3,
         "plugins.openai.connect_timeout: expected a positive duration such as 500ms, 30s, 2m or 1m30s, got '10 s'"},
        {"empty library", yaml({"plugins:", "  openai:", "    library: \"\""}), 3,
         "plugins.openai.library: must not be empty"},
        {"settings not a map", yaml({"plugins:", "  openai:", "    settings: [a]"}), 3,
         "'plugins.openai.settings' must be a map, got a list"},
        {"duplicate setting", yaml({"plugins:", "  openai:", "    settings:", "      a: 1", "      a: 2"}), 5,
         "duplicate key 'a' in 'plugins.openai.settings' (first at line 4)"},
        {"providers list not a list", yaml({"plugins: {openai: {}}", "providers:", "  primary: openai"}), 3,
         "providers.primary: expected a list of provider names, got a single value"},
        {"undeclared provider",
         yaml({"plugins:", "  openai: {}", "providers:", "  primary:", "    - openai", "    - anthropic"}), 6,
         "providers.primary: provider 'anthropic' is not declared under 'plugins'"},
        {"disabled provider",
         yaml({"plugins:", "  openai: {}", "  azure-openai: {enabled: false}", "providers:", "  primary: [openai]",
               "  fallback:", "    - azure-openai"}),
         7, "providers.fallback: provider 'azure-openai' is disabled (plugins.azure-openai.enabled is false)"},
        {"provider in both lists",
         yaml({"plugins: {openai: {}, anthropic: {}}", "providers:", "  primary:", "    - openai", "  fallback:",
               "    - anthropic", "    - openai"}),
         7, "providers.fallback: provider 'openai' is already in providers.primary (line 4); list each provider once"},
        {"provider listed twice",
         yaml({"plugins: {openai: {}}", "providers:", "  primary:", "    - openai", "    - openai"}), 5,
         "providers.primary: provider 'openai' is listed twice (first at line 4)"},
        {"bad provider name in list", yaml({"plugins: {openai: {}}", "providers:", "  fallback:", "    - OpenAI"}), 4,
         "providers.fallback: expected a provider name ([a-z0-9][a-z0-9-]*), got 'OpenAI'"},
        {"two documents", yaml({"server: {}", "---", "log: {}"}), 3, "only one YAML document is allowed per file"},
    };
    for (const ErrorCase &c : cases) {
        BOOST_TEST_CONTEXT(c.title) { expect_one(issues_of(c.text), c.line, c.reason); }
    }
}

BOOST_AUTO_TEST_CASE(yaml_syntax_errors_carry_their_line) {
    expect_one(issues_of(yaml({"server:", "  port: 1", " listen: x"})), 3, "YAML syntax error: end of map not found");
    expect_one(issues_of(yaml({"server:", "  port: 1", "\tlisten: x"})), 3,
               "YAML syntax error: illegal tab when looking for indentation");
    // yaml-cpp blames the line where it gave up looking for the '}'.
    expect_one(issues_of(yaml({"log: {}", "plugins: {openai: {}", "server: {}"})), 3,
               "YAML syntax error: end of map flow not found");
    expect_one(issues_of(yaml({"a: &x 1", "b: *y"})), 2, "YAML syntax error");
}

BOOST_AUTO_TEST_CASE(all_problems_are_reported_in_file_order) {
    const std::string text = yaml({
        "server:",                 // 1
        "  port: 99999",           // 2 bad port
        "  read_timeout: soon",    // 3 bad duration
        "log:",                    // 4
        "  level: loud",           // 5 bad level
        "  colour: true",          // 6 unknown key
        "providers:",              // 7
        "  primary: [ghost]",      // 8 undeclared
        "plugins:",                // 9
        "  ghost-two:",            // 10
        "    timeout: ${UNSET_T}", // 11 unset variable
    });
    const std::vector<ConfigIssue> issues = issues_of(text, {{"HELIXAGENT_PORT", "x"}});
    std::vector<int> lines;
    for (const ConfigIssue &issue : issues) {
        lines.push_back(issue.line);
    }
    BOOST_TEST(lines == (std::vector<int>{2, 3, 5, 6, 8, 11, 0}), dump(issues));
    BOOST_TEST(issues.back().file == "environment");
    BOOST_TEST(issues.back().reason.find("HELIXAGENT_PORT") != std::string::npos);
}

// --- environment overrides -------------------------------------------------------

BOOST_AUTO_TEST_CASE(helixagent_overrides_replace_yaml_values) {
    const std::string text =
        yaml({"server:", "  listen: 0.0.0.0", "  port: 8088", "api_keys:", "  - yaml-key", "  - name: b", "    key: c"});
    const hc::ConfigPtr config = load(
        text, {{"HELIXAGENT_PORT", "9000"}, {"HELIXAGENT_LISTEN", "::1"}, {"HELIXAGENT_API_KEYS", " k1 , k2,,k3,"}});
    BOOST_TEST(config->server.port == 9000);
    BOOST_TEST(config->server.listen_address == "::1");
    BOOST_TEST_REQUIRE(config->api_keys.size() == 3U);
    BOOST_TEST(config->api_keys[0].name == "env-1");
    BOOST_TEST((config->api_keys[0].digest == hc::digest_of_key("k1")));
    BOOST_TEST(config->api_keys[1].name == "env-2");
    BOOST_TEST((config->api_keys[1].digest == hc::digest_of_key("k2")));
    BOOST_TEST(config->api_keys[2].name == "env-3");
    BOOST_TEST((config->api_keys[2].digest == hc::digest_of_key("k3")));
}

BOOST_AUTO_TEST_CASE(empty_overrides_count_as_unset) {
    const hc::ConfigPtr config = load(yaml({"server:", "  port: 8088", "api_keys: [yaml-key]"}),
                                      {{"HELIXAGENT_PORT", ""},
                                       {"HELIXAGENT_LISTEN", ""},
                                       {"HELIXAGENT_API_KEYS", ""},
                                       {"AWS_BEDROCK_TIMEOUT", ""}});
    BOOST_TEST(config->server.port == 8088);
    BOOST_TEST(config->server.listen_address == "127.0.0.1");
    BOOST_TEST_REQUIRE(config->api_keys.size() == 1U);
    BOOST_TEST((config->api_keys[0].digest == hc::digest_of_key("yaml-key")));

    // Only separators: no keys given, so the file's list stays.
    const hc::ConfigPtr separators = load(yaml({"api_keys: [yaml-key]"}), {{"HELIXAGENT_API_KEYS", " , "}});
    BOOST_TEST(separators->api_keys.size() == 1U);
}

BOOST_AUTO_TEST_CASE(bad_helixagent_overrides_name_the_variable) {
    const std::vector<ConfigIssue> issues = issues_of(
        "", {{"HELIXAGENT_PORT", "70000"}, {"HELIXAGENT_LISTEN", "no such host!"}, {"HELIXAGENT_API_KEYS", "a,b,a"}});
    BOOST_TEST_REQUIRE(issues.size() == 3U, dump(issues));
    BOOST_TEST(has_issue(issues, "environment", 0, "HELIXAGENT_LISTEN: expected an IPv4/IPv6 address"), dump(issues));
    BOOST_TEST(has_issue(issues, "environment", 0, "HELIXAGENT_PORT: expected a port number 0..65535"), dump(issues));
    BOOST_TEST(has_issue(issues, "environment", 0, "HELIXAGENT_API_KEYS: key #3 repeats an earlier key"),
               dump(issues));
    for (const ConfigIssue &issue : issues) {
        BOOST_TEST(issue.reason.find("70000") == std::string::npos);
        BOOST_TEST(issue.reason.find("no such host") == std::string::npos);
    }
}

// --- secrets ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(secrets_never_appear_in_issues) {
    const std::string secret = "sk-TOPSECRET-4242";
    const std::string text = yaml({
        "server:",                             // 1
        "  port: ${LEAK}",                     // 2 not a port (from the environment)
        "  listen: ${LEAK}:80",                // 3 not an address
        "log:",                                // 4
        "  level: ${LEAK:-info}",              // 5 not a level
        "api_keys:",                           // 6
        "  - name: ${LEAK}!",                  // 7 bad name
        "    key: k1",                         // 8
        "  - sk-TOPSECRET-4242",               // 9 fine
        "  - sk-TOPSECRET-4242",               // 10 duplicate key
        "  - [sk-TOPSECRET-4242]",             // 11 not a single value
        "  - name: k12",                       // 12
        "    key: sk-TOPSECRET-4242 ${}",      // 13 bad reference syntax
        "providers:",                          // 14
        "  primary: [\"${LEAK}\"]",            // 15 not a provider name (upper case)
        "plugins:",                            // 16
        "  openai:",                           // 17
        "    timeout: ${LEAK}",                // 18 not a duration
        "    enabled: ${LEAK}",                // 19 not a bool
        "    settings:",                       // 20
        "      api_key: sk-TOPSECRET-4242 ${", // 21 bad reference syntax
        "      password: ${UNSET_PASSWORD}",   // 22 unset
        "  aws-bedrock: {}",                   // 23
    });
    const Environment env{{"LEAK", secret},
                          {"HELIXAGENT_PORT", secret},
                          {"HELIXAGENT_LISTEN", secret + "!"},
                          {"HELIXAGENT_API_KEYS", secret + "," + secret},
                          {"AWS_BEDROCK_TIMEOUT", secret}};
    // The tables say which keys are secret and that AWS_BEDROCK_TIMEOUT is
    // aws-bedrock's timeout (the real plugins' tables say the same).
    FakeSchemas schemas;
    schemas.add("libhelix_openai.so", "openai", {secret_row("api_key"), secret_row("password")});
    hc::SettingSpec timeout = row("timeout", hc::SettingType::Duration);
    timeout.host_option = true;
    timeout.env = {"AWS_BEDROCK_TIMEOUT"};
    timeout.env_provider = "aws-bedrock";
    schemas.add("libhelix_aws_bedrock.so", "aws_bedrock", {timeout});
    std::vector<ConfigIssue> issues;
    std::string what;
    try {
        hc::load_config_from_string(text, kFile, kBaseDir, env, &schemas);
    } catch (const hc::ConfigError &error) {
        issues = error.issues();
        what = error.what();
    }
    std::vector<int> lines;
    for (const ConfigIssue &issue : issues) {
        lines.push_back(issue.line);
        BOOST_TEST(issue.to_string().find("TOPSECRET") == std::string::npos, issue.to_string());
    }
    // Every planted mistake was found, so the check above looked at real messages.
    BOOST_TEST(lines == (std::vector<int>{2, 3, 5, 7, 10, 11, 13, 15, 18, 19, 21, 22, 0, 0, 0, 0}), dump(issues));
    BOOST_TEST(what.find("TOPSECRET") == std::string::npos);
    BOOST_TEST(!what.empty());
    // Values from the environment are described by where they came from.
    BOOST_TEST(has_issue(issues, kFile, 2, "server.port: expected a port number 0..65535, got the value of ${LEAK} "
                                           "(not shown)"),
               dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 22, "environment variable 'UNSET_PASSWORD' is not set"), dump(issues));
}

// --- settings checked by the plugin's table -----------------------------------------

namespace {

// A third-party plugin's table: nothing of it is known to the daemon.
FakeSchemas acme_schemas() {
    FakeSchemas schemas;
    hc::SettingSpec endpoint = row("endpoint");
    endpoint.required = true;
    endpoint.env = {"ACME_ENDPOINT"};
    endpoint.env_provider = "acme";
    hc::SettingSpec pin = secret_row("pin"); // secret by the table, not by its name
    pin.env = {"ACME_PIN", "ACME_LEGACY_PIN"};
    pin.env_provider = "acme";
    hc::SettingSpec timeout = row("timeout", hc::SettingType::Duration);
    timeout.host_option = true;
    timeout.env = {"ACME_TIMEOUT"};
    timeout.env_provider = "acme";
    schemas.add("libacme.so", "acme_plugin",
                {endpoint, pin, row("account"), row("retries", hc::SettingType::Integer),
                 row("ratio", hc::SettingType::Number), row("verbose", hc::SettingType::Boolean),
                 row("backoff", hc::SettingType::Duration), row("models", hc::SettingType::List),
                 row("headers", hc::SettingType::Map), timeout});
    return schemas;
}

std::vector<ConfigIssue> schema_issues(FakeSchemas &schemas, const std::string &text, const Environment &env = {}) {
    try {
        hc::load_config_from_string(text, kFile, kBaseDir, env, &schemas);
    } catch (const hc::ConfigError &error) {
        return error.issues();
    }
    BOOST_FAIL("expected a ConfigError, the configuration loaded");
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_plugins_table_types_its_settings_and_hands_over_the_library) {
    FakeSchemas schemas = acme_schemas();
    const std::string text = yaml({
        "plugins:",
        "  acme:",
        "    library: libacme.so",
        "    settings:",
        "      endpoint: https://acme.example",
        "      account: 001234",  // a string key keeps its text, leading zeros and all
        "      retries: 3",
        "      ratio: 0.5",
        "      verbose: true",
        "      backoff: 1m30s",
        "      models: [a, b]",
        "      headers: {x-team: blue}",
        "      pin: ~",
    });
    const hc::ConfigPtr config = hc::load_config_from_string(text, kFile, kBaseDir, {}, &schemas);
    BOOST_TEST(schemas.loads == 1);
    BOOST_TEST(json::value(settings_of(*config, "acme")) ==
               json::parse(R"({"endpoint":"https://acme.example","account":"001234","retries":3,"ratio":0.5,
                               "verbose":true,"backoff":"1m30s","models":["a","b"],"headers":{"x-team":"blue"},
                               "pin":null})"));
    const hc::ProviderConfig *acme = config->find_provider("acme");
    BOOST_TEST_REQUIRE(acme->library != nullptr);
    BOOST_TEST(*std::static_pointer_cast<const std::string>(acme->library) == "libacme.so");
    BOOST_TEST(acme->unusable.empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_key_names_the_provider_the_key_and_its_line) {
    FakeSchemas schemas = acme_schemas();
    const std::vector<ConfigIssue> issues =
        schema_issues(schemas, yaml({"plugins:", "  acme:", "    library: libacme.so", "    settings:",
                                     "      endpoint: https://acme.example", "      endpiont: typo",
                                     "      timeout: 5s"}));
    BOOST_TEST_REQUIRE(issues.size() == 2U, dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 6, "plugins.acme.settings: unknown key 'endpiont' for provider 'acme' (plugin "
                                           "acme_plugin accepts: endpoint, pin, account, retries"),
               dump(issues));
    // A host option is not a key of settings: (it is plugins.acme.timeout).
    BOOST_TEST(has_issue(issues, kFile, 7, "unknown key 'timeout' for provider 'acme'"), dump(issues));
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_is_an_error_at_its_line_and_a_secret_is_not_shown) {
    FakeSchemas schemas = acme_schemas();
    const std::vector<ConfigIssue> issues = schema_issues(
        schemas, yaml({"plugins:", "  acme:", "    library: libacme.so", "    settings:",
                       "      endpoint: https://acme.example", // 5
                       "      retries: many",                  // 6
                       "      ratio: half",                    // 7
                       "      verbose: \"yes\"",               // 8
                       "      backoff: soon",                  // 9
                       "      models: a",                      // 10
                       "      headers: [a]",                   // 11
                       "      pin: [PIN-8841-XYZ]",            // 12
                       "      account: {a: 1}"}));             // 13
    BOOST_TEST(has_issue(issues, kFile, 6, "plugins.acme.settings.retries: expected an integer, got 'many'"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 7, "plugins.acme.settings.ratio: expected a number, got 'half'"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 8, "plugins.acme.settings.verbose: expected true or false"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 9, "plugins.acme.settings.backoff: expected a duration"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 10, "plugins.acme.settings.models: expected a list, got a single value"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 11, "plugins.acme.settings.headers: expected a map, got a list"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 12, "plugins.acme.settings.pin: expected a string, got a list"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 13, "plugins.acme.settings.account: expected a string, got a map"), dump(issues));
    BOOST_TEST(issues.size() == 8U, dump(issues));

    // The table marks pin secret: a bad value of it is described, never shown.
    const std::vector<ConfigIssue> pin = schema_issues(
        schemas, yaml({"plugins:", "  acme:", "    library: libacme.so", "    settings:",
                       "      endpoint: https://acme.example", "      pin: PIN-8841-XYZ ${"}));
    BOOST_TEST_REQUIRE(pin.size() == 1U, dump(pin));
    BOOST_TEST(pin[0].to_string().find("PIN-8841") == std::string::npos, dump(pin));
}

BOOST_AUTO_TEST_CASE(the_tables_variables_fill_settings_for_the_instance_they_name) {
    FakeSchemas schemas = acme_schemas();
    const std::string text = yaml({"plugins:", "  acme:", "    library: libacme.so", "    settings:",
                                   "      endpoint: https://file.example", "      pin: file-pin", "  acme-eu:",
                                   "    library: libacme.so", "    settings: {endpoint: https://eu.example}"});
    // The first variable set and non-empty wins; the file's value yields to it.
    const hc::ConfigPtr config = hc::load_config_from_string(
        text, kFile, kBaseDir,
        {{"ACME_ENDPOINT", "https://env.example"}, {"ACME_PIN", ""}, {"ACME_LEGACY_PIN", "env-pin"}, {"ACME_TIMEOUT", "45s"}},
        &schemas);
    BOOST_TEST(json::value(settings_of(*config, "acme")) ==
               json::parse(R"({"endpoint":"https://env.example","pin":"env-pin"})"));
    BOOST_TEST(config->find_provider("acme")->timeout.count() == 45'000);
    // env_provider is "acme": another instance of the same plugin is left alone.
    BOOST_TEST(json::value(settings_of(*config, "acme-eu")) == json::parse(R"({"endpoint":"https://eu.example"})"));
    BOOST_TEST(config->find_provider("acme-eu")->timeout.count() == 60'000);

    const std::vector<ConfigIssue> bad = schema_issues(schemas, text, {{"ACME_TIMEOUT", "whenever"}});
    BOOST_TEST_REQUIRE(bad.size() == 1U, dump(bad));
    BOOST_TEST(bad[0].to_string() ==
               "environment: ACME_TIMEOUT: expected a positive duration such as 60s or 1m30s (value not shown)");
}

BOOST_AUTO_TEST_CASE(a_missing_required_setting_fails_or_skips_an_auto_provider) {
    FakeSchemas schemas = acme_schemas();
    const std::vector<ConfigIssue> issues =
        schema_issues(schemas, yaml({"plugins:", "  acme:", "    library: libacme.so", "    settings: {pin: p, endpoint: \"\"}"}));
    expect_one(issues, 2, "plugins.acme.settings.endpoint is required by plugin acme_plugin (or set ACME_ENDPOINT)");

    // The variable fills it.
    const hc::ConfigPtr filled = hc::load_config_from_string(yaml({"plugins:", "  acme: {library: libacme.so}"}), kFile,
                                                             kBaseDir, {{"ACME_ENDPOINT", "https://env.example"}}, &schemas);
    BOOST_TEST(filled->find_provider("acme")->unusable.empty());

    // enabled: auto: the file loads, and the provider says why it cannot run.
    const hc::ConfigPtr config = hc::load_config_from_string(
        yaml({"plugins:", "  acme: {library: libacme.so, enabled: auto}"}), kFile, kBaseDir, {}, &schemas);
    BOOST_TEST(config->find_provider("acme")->unusable ==
               "plugins.acme.settings.endpoint is required by plugin acme_plugin (or set ACME_ENDPOINT)");
}

BOOST_AUTO_TEST_CASE(a_plugin_that_cannot_be_loaded_is_an_error_at_its_line_and_a_disabled_one_is_not_loaded) {
    FakeSchemas schemas = acme_schemas();
    const std::vector<ConfigIssue> issues = schema_issues(
        schemas, yaml({"plugins:", "  acme: {library: libacme.so, settings: {endpoint: x}}", "  ghost:",
                       "    library: /opt/libghost.so", "  off: {library: /opt/liboff.so, enabled: false}"}));
    expect_one(issues, 3, "plugins.ghost: /opt/libghost.so: no such plugin file");
    BOOST_TEST(schemas.loads == 2);
}

// --- files ---------------------------------------------------------------------------

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() / ("helix-config-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string write(const std::string &name, const std::string &text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(load_config_resolves_paths_against_the_file) {
    const TempDir dir;
    const std::string path = dir.write("helix.yaml", yaml({"plugin_dir: ./lib/../plugins",
                                                           "plugins:",
                                                           "  openai: {}",
                                                           "  anthropic: {library: ./local/libanthropic.so}"}));
    const hc::ConfigPtr config = hc::load_config(path, {});
    BOOST_TEST(config->source_file == path);
    BOOST_TEST(config->plugin_dir == (dir.path / "plugins").string());
    BOOST_TEST(config->find_provider("openai")->library_path == (dir.path / "plugins/libhelix_openai.so").string());
    BOOST_TEST(config->find_provider("anthropic")->library_path ==
               (dir.path / "local/libanthropic.so").string());
    BOOST_TEST(config->find_provider("openai")->source == path + ":3");
}

BOOST_AUTO_TEST_CASE(load_config_reports_issues_with_the_file_path) {
    const TempDir dir;
    const std::string path = dir.write("bad.yaml", yaml({"server:", "  port: abc"}));
    try {
        hc::load_config(path, {});
        BOOST_FAIL("expected a ConfigError");
    } catch (const hc::ConfigError &error) {
        BOOST_TEST_REQUIRE(error.issues().size() == 1U);
        BOOST_TEST(error.issues()[0].to_string() ==
                   path + ":2: server.port: expected a port number 0..65535, got 'abc'");
    }
}

BOOST_AUTO_TEST_CASE(unreadable_file_is_one_issue_without_a_line) {
    const TempDir dir;
    for (const std::string &path : {(dir.path / "missing.yaml").string(), dir.path.string()}) {
        try {
            hc::load_config(path, {});
            BOOST_FAIL("expected a ConfigError for " + path);
        } catch (const hc::ConfigError &error) {
            BOOST_TEST_REQUIRE(error.issues().size() == 1U);
            BOOST_TEST(error.issues()[0].file == path);
            BOOST_TEST(error.issues()[0].line == 0);
            BOOST_TEST(error.issues()[0].reason.find("cannot read the configuration") == 0U);
        }
    }
}

BOOST_AUTO_TEST_CASE(shipped_config_loads_with_an_empty_environment) {
    const std::string path = HELIX_SOURCE_DIR "/etc/helixagent/helixagent.yaml";
    const hc::ConfigPtr config = hc::load_config(path, {});
    BOOST_TEST(config->server.port == 7061);
    BOOST_TEST(config->api_keys.empty()); // HELIXAGENT_API_KEY unset
    BOOST_TEST(config->plugin_dir == "/usr/lib/helixagent/plugins");
    BOOST_TEST(names(config->providers) == (Strings{"openai", "anthropic", "aws-bedrock", "gcp-vertex", "azure-openai"}));
    BOOST_TEST(config->primary == (Strings{"openai", "anthropic"}));
    BOOST_TEST(config->fallback == (Strings{"aws-bedrock", "azure-openai"}));
    BOOST_TEST(config->find_provider("aws-bedrock")->library_path ==
               "/usr/lib/helixagent/plugins/libhelix_aws_bedrock.so");
    BOOST_TEST(config->find_provider("gcp-vertex")->library_path ==
               "/usr/lib/helixagent/plugins/libhelix_gcp_vertex.so");
    // Each provider loads when its credentials are configured, else is skipped.
    for (const auto &provider : config->providers) BOOST_TEST(provider.optional, provider.name);
    BOOST_TEST(json::value(settings_of(*config, "aws-bedrock")) ==
               json::parse(R"({"region":"us-east-1","models":["anthropic.claude-3-sonnet","anthropic.claude-3-opus",)"
                           R"("meta.llama3-70b-instruct","amazon.titan-text-express","amazon.titan-embed-text-v2",)"
                           R"("cohere.embed-english-v3","anthropic.claude-3-haiku","anthropic.claude-3-7-sonnet",)"
                           R"("anthropic.claude-sonnet-4","anthropic.claude-opus-4","anthropic.claude-opus-4-1",)"
                           R"("anthropic.claude-sonnet-4-5","anthropic.claude-haiku-4-5","anthropic.claude-opus-4-5",)"
                           R"("meta.llama3-1-70b-instruct","meta.llama3-3-70b-instruct",)"
                           R"("meta.llama4-scout-17b-instruct","meta.llama4-maverick-17b-instruct",)"
                           R"("amazon.nova-micro","amazon.nova-lite","amazon.nova-pro","amazon.nova-premier",)"
                           R"("amazon.titan-text-premier"]})"));
    // The shipped price table: USD per 1K tokens, per provider/model.
    BOOST_TEST(config->prices.at("aws-bedrock/anthropic.claude-sonnet-4-5").input == 0.003);
    BOOST_TEST(config->prices.at("gcp-vertex/gemini-2.5-pro").output == 0.01);
    BOOST_TEST(config->prices.at("openai/gpt-5").input == 0.00125);
    // The shipped lifecycle: models the providers have retired.
    for (const char *retired : {"aws-bedrock/anthropic.claude-3-sonnet", "gcp-vertex/text-bison", "gcp-vertex/code-bison",
                                "gcp-vertex/gemini-1.0-pro", "azure-openai/gpt-35-turbo"})
        BOOST_TEST(config->lifecycle.at(retired).end_of_life.has_value(), retired);
    // Each provider loads when its credentials are configured, else is skipped.
    for (const auto &provider : config->providers) BOOST_TEST(provider.optional, provider.name);
    BOOST_TEST(config->media_fetch.enabled);
    BOOST_TEST(config->media_fetch.max_bytes == 10U * 1024 * 1024);
}

// media_fetch: its defaults, each key, and the problems named by line.
BOOST_AUTO_TEST_CASE(media_fetch_section) {
    const hc::Config defaults;
    BOOST_TEST(defaults.media_fetch.enabled);
    BOOST_TEST(defaults.media_fetch.timeout.count() == 10'000);
    BOOST_TEST(defaults.media_fetch.max_redirects == 3U);
    const hc::ConfigPtr c = load(yaml({"media_fetch:", "  enabled: false", "  timeout: 2s", "  max_bytes: 1MiB",
                                       "  max_urls: 2", "  max_redirects: 0",
                                       "  allow_hosts: [images.example.com, \"*.cdn.example.net\"]",
                                       "  private_hosts: [\"127.0.0.1:8080\", \"[::1]:9000\"]"}));
    BOOST_TEST(!c->media_fetch.enabled);
    BOOST_TEST(c->media_fetch.timeout.count() == 2000);
    BOOST_TEST(c->media_fetch.max_bytes == 1024U * 1024);
    BOOST_TEST(c->media_fetch.max_urls == 2U);
    BOOST_TEST(c->media_fetch.max_redirects == 0U);
    BOOST_TEST(c->media_fetch.allow_hosts == (Strings{"images.example.com", "*.cdn.example.net"}));
    BOOST_TEST(c->media_fetch.private_hosts == (Strings{"127.0.0.1:8080", "[::1]:9000"}));
    const auto issues = issues_of(yaml({"media_fetch:", "  allow_hosts: [\"http://x/\"]", "  max_urls: 0", "  proxy: yes"}));
    BOOST_TEST(has_issue(issues, kFile, 2, "media_fetch.allow_hosts[0]"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 3, "media_fetch.max_urls"), dump(issues));
    BOOST_TEST(has_issue(issues, kFile, 4, "proxy"), dump(issues));
}

BOOST_AUTO_TEST_CASE(shipped_config_takes_its_variables) {
    const std::string path = HELIX_SOURCE_DIR "/etc/helixagent/helixagent.yaml";
    const hc::ConfigPtr config = hc::load_config(
        path, {{"HELIXAGENT_API_KEY", "client-key"}, {"HELIXAGENT_PLUGIN_DIR", "/opt/helix/plugins"}});
    BOOST_TEST_REQUIRE(config->api_keys.size() == 1U);
    BOOST_TEST(config->api_keys[0].name == "default");
    BOOST_TEST((config->api_keys[0].digest == hc::digest_of_key("client-key")));
    BOOST_TEST(config->find_provider("openai")->library_path == "/opt/helix/plugins/libhelix_openai.so");
}

// --- the error types ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(issue_and_error_formatting) {
    BOOST_TEST((ConfigIssue{"a.yaml", 3, "bad thing"}.to_string()) == "a.yaml:3: bad thing");
    BOOST_TEST((ConfigIssue{"environment", 0, "X: bad"}.to_string()) == "environment: X: bad");
    const hc::ConfigError one({ConfigIssue{"a.yaml", 3, "bad thing"}});
    BOOST_TEST(std::string{one.what()} == "invalid configuration: a.yaml:3: bad thing");
    const hc::ConfigError two({ConfigIssue{"a.yaml", 3, "first"}, ConfigIssue{"a.yaml", 9, "second"}});
    BOOST_TEST(std::string{two.what()} == "invalid configuration (2 problems):\na.yaml:3: first\na.yaml:9: second");
    BOOST_TEST(two.issues().size() == 2U);
}

BOOST_AUTO_TEST_CASE(upstream_section_sets_tls_and_pool_settings) {
    const auto defaults = load("");
    BOOST_TEST(defaults->upstream.verify_tls);
    BOOST_TEST(defaults->upstream.ca_file.empty());

    const std::string ca = (std::filesystem::temp_directory_path() / "helix-test-ca.pem").string();
    std::ofstream(ca) << "not checked here\n";
    const auto cfg = load(yaml({"upstream:", "  verify_tls: false", "  ca_file: " + ca,
                                "  max_idle_connections: 8", "  idle_timeout: 5s"}));
    std::filesystem::remove(ca);
    BOOST_TEST(!cfg->upstream.verify_tls);
    BOOST_TEST(cfg->upstream.ca_file == ca);
    BOOST_TEST(cfg->upstream.max_idle_connections == 8u);
    BOOST_TEST(cfg->upstream.idle_timeout.count() == 5000);
}

BOOST_AUTO_TEST_CASE(upstream_section_errors_name_the_line) {
    const auto issues = issues_of(yaml({"upstream:", "  verify_tls: maybe", "  ca_file: /nonexistent/ca.pem",
                                        "  pool: 3"}));
    const std::string all = dump(issues);
    BOOST_TEST(all.find(":2: ") != std::string::npos, all);
    BOOST_TEST(all.find(":3: upstream.ca_file: no such file '/nonexistent/ca.pem'") != std::string::npos, all);
    BOOST_TEST(all.find(":4: unknown key 'pool' in 'upstream'") != std::string::npos, all);
}

BOOST_AUTO_TEST_CASE(http2_is_off_by_default_set_for_all_and_overridden_per_provider) {
    const auto defaults = load(yaml({"plugins:", "  openai: {}"}));
    BOOST_TEST(defaults->upstream.http2 == "off");
    BOOST_TEST(defaults->find_provider("openai")->http2.empty());
    const auto cfg = load(yaml({"upstream:", "  http2: auto", "plugins:", "  openai:", "    http2: on", "  anthropic: {}"}));
    BOOST_TEST(cfg->upstream.http2 == "auto");
    BOOST_TEST(cfg->find_provider("openai")->http2 == "on");
    BOOST_TEST(cfg->find_provider("anthropic")->http2.empty());
    const std::string all = dump(issues_of(yaml({"upstream:", "  http2: yes", "plugins:", "  openai:", "    http2: h2"})));
    BOOST_TEST(all.find(":2: upstream.http2: expected") != std::string::npos, all);
    BOOST_TEST(all.find(":5: plugins.openai.http2: expected") != std::string::npos, all);
}

BOOST_AUTO_TEST_CASE(aliases_map_names_to_provider_model_targets) {
    const auto cfg = load(yaml({"plugins:", "  openai: {}", "  anthropic: {}", "aliases:", "  fast: openai/gpt-4o-mini",
                                "  smart: [anthropic/claude-3-opus-20240229, openai/gpt-4o]"}));
    BOOST_TEST_REQUIRE(cfg->aliases.size() == 2u);
    BOOST_TEST(cfg->aliases[0].name == "fast");
    BOOST_TEST(cfg->aliases[0].targets == std::vector<std::string>{"openai/gpt-4o-mini"});
    BOOST_TEST(cfg->aliases[1].targets.size() == 2u);
    BOOST_TEST(cfg->aliases[1].targets[1] == "openai/gpt-4o");
    BOOST_TEST(cfg->aliases[1].source == kFile + ":6");
}

BOOST_AUTO_TEST_CASE(alias_errors_name_the_line) {
    const std::string all = dump(issues_of(yaml({"plugins:", "  openai: {}", "aliases:", "  a/b: openai/gpt-4o",
                                                 "  nothing: gpt-4o", "  ghost: [azure-openai/gpt-4]"})));
    BOOST_TEST(all.find(":4: aliases.a/b: an alias is a model name without '/'") != std::string::npos, all);
    BOOST_TEST(all.find(":5: aliases.nothing: target 'gpt-4o' is not provider/model") != std::string::npos, all);
    BOOST_TEST(all.find(":6: aliases.ghost[0]: target 'azure-openai/gpt-4' names provider 'azure-openai'") !=
                   std::string::npos, all);
}

BOOST_AUTO_TEST_CASE(prices_and_scores_are_read) {
    const auto dir = std::filesystem::temp_directory_path() / "helix-scores-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "scores.yaml") << "openai/gpt-4o: 0.93\nanthropic/claude-3-opus-20240229: 0.95\n";
    const auto cfg = hc::load_config_from_string(
        yaml({"prices:", "  openai/gpt-4o: {input: 0.0025, output: 0.01}", "scores_file: scores.yaml",
              "router: {cost_tolerance: 0.1}"}),
        kFile, dir.string(), {});
    BOOST_TEST(cfg->prices.at("openai/gpt-4o").input == 0.0025);
    BOOST_TEST(cfg->prices.at("openai/gpt-4o").output == 0.01);
    BOOST_TEST(cfg->scores.at("anthropic/claude-3-opus-20240229") == 0.95);
    BOOST_TEST(cfg->router.cost_tolerance == 0.1);

    std::ofstream(dir / "bad.yaml") << "openai/gpt-4o: high\n";
    const std::string all = dump(issues_of(yaml({"prices:", "  gpt-4o: {input: 1}", "  openai/x: {input: -1}",
                                                 "scores_file: /nonexistent/scores.yaml"})));
    BOOST_TEST(all.find(":2: prices.gpt-4o: prices are per provider/model") != std::string::npos, all);
    BOOST_TEST(all.find(":3: ") != std::string::npos, all);
    BOOST_TEST(all.find(":4: scores_file: cannot read '/nonexistent/scores.yaml'") != std::string::npos, all);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(lifecycle_dates_and_successors_are_read) {
    const auto cfg = load(yaml({"plugins:", "  openai: {}", "  anthropic: {}", "lifecycle:",
                                "  openai/gpt-4: {legacy: 2025-01-21, end_of_life: 2025-07-21, successor: openai/gpt-4.1}",
                                "  anthropic/claude-3-opus: {end_of_life: 2026-01-05, successor: openai/gpt-5,",
                                "                            successor_from: legacy}"}));
    const hc::ModelLifecycle &gpt4 = cfg->lifecycle.at("openai/gpt-4");
    BOOST_TEST(gpt4.legacy.value() == 1737417600); // 2025-01-21T00:00:00Z
    BOOST_TEST(gpt4.end_of_life.value() == 1753056000);
    BOOST_TEST(gpt4.successor == "openai/gpt-4.1");
    BOOST_TEST(!gpt4.successor_from_legacy);
    BOOST_TEST(gpt4.source == std::string(kFile) + ":5");
    const hc::ModelLifecycle &opus = cfg->lifecycle.at("anthropic/claude-3-opus");
    BOOST_TEST(!opus.legacy.has_value());
    BOOST_TEST(opus.successor_from_legacy);

    const std::string all = dump(issues_of(
        yaml({"plugins:", "  openai: {}", "lifecycle:", "  gpt-4: {legacy: 2025-01-21}",
              "  openai/a: {legacy: 2025-02-30}", "  openai/b: {legacy: 2025-03-01, end_of_life: 2025-01-01}",
              "  openai/c: {successor: nobody/x, end_of_life: 2025-01-01}", "  openai/d: {}",
              "  openai/e: {end_of_life: 2025-01-01, successor_from: soon}",
              "  openai/f: {end_of_life: 2025-01-01, successor: openai/f}"})));
    BOOST_TEST(all.find(":4: lifecycle.gpt-4: lifecycle dates are per provider/model") != std::string::npos, all);
    BOOST_TEST(all.find(":5: lifecycle.openai/a.legacy: expected a date YYYY-MM-DD") != std::string::npos, all);
    BOOST_TEST(all.find(":6: lifecycle.openai/b: end_of_life is before legacy") != std::string::npos, all);
    BOOST_TEST(all.find(":7: lifecycle.openai/c.successor: 'nobody/x' names provider 'nobody'") != std::string::npos,
               all);
    BOOST_TEST(all.find(":8: lifecycle.openai/d: needs legacy and/or end_of_life") != std::string::npos, all);
    BOOST_TEST(all.find(":9: lifecycle.openai/e.successor_from: expected") != std::string::npos, all);
    BOOST_TEST(all.find(":10: lifecycle.openai/f.successor: a model cannot succeed itself") != std::string::npos, all);
}

// A vision request carries its images as base64 data URIs: the default body
// limit holds OpenAI's largest image (20 MB, 26.7 MB encoded) with room to
// spare, in the built-in default and in the shipped file alike.
BOOST_AUTO_TEST_CASE(the_default_body_limit_holds_a_20_mb_image_as_a_data_uri) {
    const std::size_t encoded_image = (20'000'000 + 2) / 3 * 4;
    BOOST_TEST(load("")->server.max_body_bytes == 32U * 1024 * 1024);
    BOOST_TEST(load("")->server.max_body_bytes > encoded_image + 64 * 1024);
    const hc::ConfigPtr shipped = hc::load_config(HELIX_SOURCE_DIR "/etc/helixagent/helixagent.yaml", {});
    BOOST_TEST(shipped->server.max_body_bytes == load("")->server.max_body_bytes);
}

BOOST_AUTO_TEST_CASE(prices_take_cache_read_and_write) {
    const auto cfg = hc::load_config_from_string(
        yaml({"prices:", "  anthropic/claude-x: {input: 0.003, output: 0.015, cache_read: 0.0003, cache_write: 0.00375}",
              "  openai/gpt-4o: {input: 0.0025, output: 0.01}"}),
        kFile, "/tmp", {});
    BOOST_TEST(*cfg->prices.at("anthropic/claude-x").cache_read == 0.0003);
    BOOST_TEST(*cfg->prices.at("anthropic/claude-x").cache_write == 0.00375);
    BOOST_TEST(!cfg->prices.at("openai/gpt-4o").cache_read.has_value());
    const std::string all = dump(issues_of(yaml({"prices:", "  openai/x: {input: 1, cache_read: -1, cache_hit: 2}"})));
    BOOST_TEST(all.find("prices.openai/x.cache_read") != std::string::npos, all);
    BOOST_TEST(all.find("cache_hit") != std::string::npos, all);
}
