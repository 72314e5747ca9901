#define BOOST_TEST_MODULE plugin_schemas
#include <boost/test/unit_test.hpp>

// The bundled plugins' own settings tables, read from the built libraries,
// are what fills a provider's settings from the environment: these are the
// variables the daemon used to map itself, and every one still arrives.

#include "daemon/config/config_loader.hpp"
#include "daemon/config/env_overrides.hpp"
#include "daemon/router/plugin_schemas.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace hc = helix::config;
namespace hr = helix::router;
namespace json = boost::json;
using hc::ConfigIssue;
using hc::Environment;

namespace {

const std::string kFile = "test.yaml";

std::string yaml(std::initializer_list<std::string_view> lines) {
    std::string text = "plugin_dir: " HELIX_PLUGIN_DIR "\n";
    for (const std::string_view line : lines) text.append(line).push_back('\n');
    return text;
}

// One cache for the whole suite, as the daemon keeps one per process.
hr::LibraryCache &cache() {
    static hr::LibraryCache libraries;
    return libraries;
}

hc::ConfigPtr load(const std::string &text, const Environment &env = {}) {
    hr::LibrarySchemas schemas(cache());
    return hc::load_config_from_string(text, kFile, "/etc/helix", env, &schemas);
}

std::string dump(const std::vector<ConfigIssue> &issues) {
    std::string text;
    for (const ConfigIssue &issue : issues) text += "\n  " + issue.to_string();
    return text;
}

std::vector<ConfigIssue> issues_of(const std::string &text, const Environment &env = {}) {
    try {
        load(text, env);
    } catch (const hc::ConfigError &error) {
        return error.issues();
    }
    BOOST_FAIL("expected a ConfigError, the configuration loaded");
    return {};
}

json::value settings_of(const hc::Config &config, const std::string &provider) {
    const hc::ProviderConfig *p = config.find_provider(provider);
    BOOST_TEST_REQUIRE(p != nullptr, "provider " << provider << " missing");
    return json::parse(p->settings_json);
}

const std::string kAllProviders = yaml({
    "plugins:",
    "  aws-bedrock:",
    "    settings: {region: us-west-2, profile: file-profile}",
    "  gcp-vertex: {}",
    "  azure-openai: {settings: {endpoint: https://file.openai.azure.com}}",
    "  openai: {}",
    "  anthropic: {}",
});

const std::vector<std::string> kBundled{"openai", "anthropic", "aws_bedrock", "gcp_vertex", "azure_openai"};

// Every variable the bundled plugins' tables name.
std::vector<std::string> table_variables() {
    std::vector<std::string> variables;
    for (const std::string &plugin : kBundled) {
        const auto schema = hr::schema_of(cache().get(HELIX_PLUGIN_DIR "/libhelix_" + plugin + ".so"));
        for (const hc::SettingSpec &spec : schema.settings)
            for (const std::string &name : spec.env) variables.push_back(name);
    }
    // A variable may fill settings of several plugins (AWS_ACCESS_KEY_ID: Bedrock, and Vertex's AWS federation).
    std::sort(variables.begin(), variables.end());
    variables.erase(std::unique(variables.begin(), variables.end()), variables.end());
    return variables;
}

} // namespace

BOOST_AUTO_TEST_CASE(provider_variables_fill_settings_and_timeouts) {
    const Environment env{
        {"AWS_BEDROCK_REGION", "eu-central-1"},
        {"AWS_BEDROCK_ACCESS_KEY_ID", "AKIA-TEST"},
        {"AWS_BEDROCK_SECRET_ACCESS_KEY", "aws-secret"},
        {"AWS_BEDROCK_SESSION_TOKEN", "aws-session"},
        {"AWS_BEDROCK_TIMEOUT", "90s"},
        {"AWS_ACCESS_KEY_ID", "AKIA-STD"},
        {"AWS_SECRET_ACCESS_KEY", "std-secret"},
        {"AWS_SESSION_TOKEN", "std-session"},
        {"AWS_PROFILE", "dev"},
        {"HOME", "/home/helix"},
        {"AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/credentials"},
        {"AWS_CONFIG_FILE", "/etc/aws/config"},
        {"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"},
        {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
        {"AWS_ROLE_SESSION_NAME", "helix"},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"},
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ctoken"},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/ctoken"},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8"},
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"AWS_BEARER_TOKEN_BEDROCK", "ABSK-bearer"},
        {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:7"},
        {"AWS_ENDPOINT_URL", "http://127.0.0.1:6"},
        {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5"},
        {"AWS_USE_FIPS_ENDPOINT", "true"},
        {"GCP_VERTEX_PROJECT_ID", "my-project"},
        {"GCP_VERTEX_LOCATION", "europe-west4"},
        {"GCP_VERTEX_ACCESS_TOKEN", "ya29.token"},
        {"GCP_VERTEX_API_KEY", "AQ.vertex-key"},
        {"GCP_VERTEX_TIMEOUT", "2m"},
        {"GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1"},
        {"AWS_REGION", "us-east-2"},
        {"AWS_DEFAULT_REGION", "us-west-1"},
        {"GOOGLE_APPLICATION_CREDENTIALS", "/etc/gcp/key.json"},
        {"GCE_METADATA_HOST", "127.0.0.1:9"},
        {"AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com"},
        {"AZURE_OPENAI_API_KEY", "azure-key"},
        {"AZURE_OPENAI_TIMEOUT", "1m30s"},
        {"AZURE_TENANT_ID", "tenant-1"},
        {"AZURE_CLIENT_ID", "app-1"},
        {"AZURE_CLIENT_SECRET", "entra-secret"},
        {"AZURE_FEDERATED_TOKEN_FILE", "/var/run/azure/token"},
        {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us"},
        {"OPENAI_API_KEY", "sk-openai"},
        {"ANTHROPIC_API_KEY", "sk-ant"},
    };
    const hc::ConfigPtr config = load(kAllProviders, env);
    // The file's region is overridden, its other settings kept.
    BOOST_TEST(settings_of(*config, "aws-bedrock") ==
               json::parse(R"({"region":"eu-central-1","profile":"file-profile","access_key_id":"AKIA-TEST",
                               "secret_access_key":"aws-secret","session_token":"aws-session",
                               "aws_access_key_id":"AKIA-STD","aws_secret_access_key":"std-secret",
                               "aws_session_token":"std-session","aws_profile":"dev","home":"/home/helix",
                               "credentials_file":"/etc/aws/credentials","config_file":"/etc/aws/config",
                               "web_identity_token_file":"/var/run/token","role_arn":"arn:aws:iam::1:role/r",
                               "role_session_name":"helix","container_credentials_full_uri":"http://127.0.0.1:9/creds",
                               "container_credentials_relative_uri":"/v2/credentials/x",
                               "container_authorization_token":"ctoken",
                               "container_authorization_token_file":"/var/run/ctoken",
                               "imds_endpoint":"http://127.0.0.1:8","imds_disabled":"true",
                               "api_key":"ABSK-bearer","endpoint_url":"http://127.0.0.1:7",
                               "sts_endpoint":"http://127.0.0.1:5","use_fips":"true"})"));
    BOOST_TEST(settings_of(*config, "gcp-vertex") ==
               json::parse(R"({"project_id":"my-project","location":"europe-west4","access_token":"ya29.token",
                               "credentials_file":"/etc/gcp/key.json","metadata_host":"127.0.0.1:9",
                               "api_key":"AQ.vertex-key","allow_executables":"1","aws_region":"us-east-2",
                               "aws_access_key_id":"AKIA-STD","aws_secret_access_key":"std-secret",
                               "aws_session_token":"std-session"})"));
    BOOST_TEST(settings_of(*config, "azure-openai") ==
               json::parse(R"({"endpoint":"https://r.openai.azure.com","api_key":"azure-key","tenant_id":"tenant-1",
                               "client_id":"app-1","client_secret":"entra-secret",
                               "federated_token_file":"/var/run/azure/token",
                               "authority_host":"https://login.microsoftonline.us"})"));
    BOOST_TEST(settings_of(*config, "openai") == json::parse(R"({"api_key":"sk-openai"})"));
    BOOST_TEST(settings_of(*config, "anthropic") == json::parse(R"({"api_key":"sk-ant"})"));
    BOOST_TEST(config->find_provider("aws-bedrock")->timeout.count() == 90'000);
    BOOST_TEST(config->find_provider("gcp-vertex")->timeout.count() == 120'000);
    BOOST_TEST(config->find_provider("azure-openai")->timeout.count() == 90'000);
    BOOST_TEST(config->find_provider("openai")->timeout.count() == 60'000);
    BOOST_TEST(table_variables().size() == env.size()); // the test covers the whole of the tables
}

BOOST_AUTO_TEST_CASE(provider_variables_ignore_undeclared_and_disabled_providers) {
    const hc::ConfigPtr config = load(yaml({"plugins:", "  openai: {}", "  aws-bedrock: {enabled: false}"}),
                                      {{"GCP_VERTEX_PROJECT_ID", "p"},
                                       {"AWS_BEDROCK_TIMEOUT", "not-a-duration"},
                                       {"AWS_BEDROCK_REGION", "eu-central-1"}});
    BOOST_TEST(config->providers.size() == 1U);
    BOOST_TEST(config->find_provider("openai")->settings_json == "{}");
}

BOOST_AUTO_TEST_CASE(bad_provider_timeout_variable_names_the_variable_not_the_value) {
    for (const char *bad : {"soon-ish", "0s", "-5s", "1.5m"}) {
        BOOST_TEST_CONTEXT("AWS_BEDROCK_TIMEOUT=" << bad) {
            const std::vector<ConfigIssue> issues = issues_of(kAllProviders, {{"AWS_BEDROCK_TIMEOUT", bad}});
            BOOST_TEST_REQUIRE(issues.size() == 1U, dump(issues));
            BOOST_TEST(issues[0].file == "environment");
            BOOST_TEST(issues[0].line == 0);
            BOOST_TEST(issues[0].to_string() ==
                       "environment: AWS_BEDROCK_TIMEOUT: expected a positive duration such as 60s or 1m30s (value "
                       "not shown)");
        }
    }
    const std::vector<ConfigIssue> vertex = issues_of(kAllProviders, {{"GCP_VERTEX_TIMEOUT", "x"}});
    BOOST_TEST_REQUIRE(vertex.size() == 1U);
    BOOST_TEST(vertex[0].reason.find("GCP_VERTEX_TIMEOUT") == 0U);
}

BOOST_AUTO_TEST_CASE(a_bundled_plugins_table_refuses_a_mistyped_key_before_the_plugin_runs) {
    const std::vector<ConfigIssue> issues =
        issues_of(yaml({"plugins:", "  openai:", "    settings:", "      apikey: sk-x", "      models: gpt-4o"}));
    BOOST_TEST_REQUIRE(issues.size() == 2U, dump(issues));
    BOOST_TEST(issues[0].to_string() == kFile + ":5: plugins.openai.settings: unknown key 'apikey' for provider "
                                                "'openai' (plugin openai accepts: base_url, api_key, organization, "
                                                "project, extra_fields, models)");
    BOOST_TEST(issues[1].to_string() == kFile + ":6: plugins.openai.settings.models: expected a list, got a single value");
    // Every key a bundled plugin reads is in its table, so a full file loads.
    load(yaml({"plugins:", "  azure-openai:", "    settings:", "      endpoint: https://r.openai.azure.com",
               "      extra_fields: [logprobs]", "      allow_data_sources: true", "      deployments: {gpt-4o: prod}",
               "  openai: {settings: {extra_fields: [store]}}"}));
    // A required key: azure-openai cannot run without an endpoint.
    const std::vector<ConfigIssue> azure = issues_of(yaml({"plugins:", "  azure-openai: {}"}));
    BOOST_TEST_REQUIRE(azure.size() == 1U, dump(azure));
    BOOST_TEST(azure[0].to_string() == kFile + ":3: plugins.azure-openai.settings.endpoint is required by plugin "
                                               "azure_openai (or set AZURE_OPENAI_ENDPOINT)");
}

BOOST_AUTO_TEST_CASE(a_quoted_scalar_under_a_typed_key_is_read_as_its_type) {
    const hc::ConfigPtr config = load(yaml({"plugins:", "  aws-bedrock:", "    settings:", "      region: us-east-1",
                                            "      imds_disabled: \"true\"", "      duration_seconds: '1800'"}));
    BOOST_TEST(settings_of(*config, "aws-bedrock") ==
               json::parse(R"({"region":"us-east-1","imds_disabled":true,"duration_seconds":1800})"));
    const std::vector<ConfigIssue> issues = issues_of(yaml(
        {"plugins:", "  aws-bedrock:", "    settings:", "      imds_disabled: \"maybe\"", "      duration_seconds: '30m'"}));
    BOOST_TEST_REQUIRE(issues.size() == 2U, dump(issues));
    BOOST_TEST(issues[0].to_string() ==
               kFile + ":5: plugins.aws-bedrock.settings.imds_disabled: expected true or false, got 'maybe'");
    BOOST_TEST(issues[1].to_string() ==
               kFile + ":6: plugins.aws-bedrock.settings.duration_seconds: expected an integer, got '30m'");
}

BOOST_AUTO_TEST_CASE(env_example_lists_every_variable) {
    std::ifstream in(HELIX_SOURCE_DIR "/etc/helixagent/helixagent.env.example");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string example = text.str();
    BOOST_TEST_REQUIRE(!example.empty());
    std::vector<std::string> variables{"HELIXAGENT_CONFIG", "HELIXAGENT_API_KEY", "HELIXAGENT_PLUGIN_DIR",
                                       std::string{hc::kPortVariable}, std::string{hc::kListenVariable},
                                       std::string{hc::kApiKeysVariable}};
    for (const std::string &variable : table_variables()) variables.push_back(variable);
    for (const std::string &variable : variables) {
        BOOST_TEST_CONTEXT(variable) {
            const bool listed = example.find("\n" + variable + "=") != std::string::npos ||
                                example.find("\n#" + variable + "=") != std::string::npos;
            BOOST_TEST(listed);
        }
    }
}
