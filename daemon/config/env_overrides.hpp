#pragma once
// Environment variables applied on top of the YAML: the daemon's own
// HELIXAGENT_* overrides and the providers' variables (AWS_BEDROCK_*,
// GCP_VERTEX_*, AZURE_OPENAI_*, OPENAI_API_KEY, ANTHROPIC_API_KEY and the
// cloud SDKs' standard names). The provider mapping lives in
// kProviderEnvVars and nowhere else; a plugin never reads the environment.

#include "daemon/config/config.hpp"
#include "daemon/config/load_context.hpp"

#include <array>
#include <string_view>

namespace helix::config {

inline constexpr std::string_view kPortVariable = "HELIXAGENT_PORT";         // server.port
inline constexpr std::string_view kListenVariable = "HELIXAGENT_LISTEN";     // server.listen
inline constexpr std::string_view kApiKeysVariable = "HELIXAGENT_API_KEYS"; // comma-separated; replaces api_keys

struct ProviderEnvVar {
    enum class Target { Setting, Timeout };
    std::string_view variable;
    std::string_view provider; // applied only if a plugin with this name is declared and enabled
    Target target;
    std::string_view setting; // key in the provider's settings (Target::Setting)
};

// Each provider's own variables first, then the names its cloud's SDKs read.
inline constexpr std::array<ProviderEnvVar, 35> kProviderEnvVars{{
    {"AWS_BEDROCK_REGION", "aws-bedrock", ProviderEnvVar::Target::Setting, "region"},
    {"AWS_BEDROCK_ACCESS_KEY_ID", "aws-bedrock", ProviderEnvVar::Target::Setting, "access_key_id"},
    {"AWS_BEDROCK_SECRET_ACCESS_KEY", "aws-bedrock", ProviderEnvVar::Target::Setting, "secret_access_key"},
    {"AWS_BEDROCK_SESSION_TOKEN", "aws-bedrock", ProviderEnvVar::Target::Setting, "session_token"},
    {"AWS_BEDROCK_TIMEOUT", "aws-bedrock", ProviderEnvVar::Target::Timeout, {}},
    // The AWS credential chain, by the names the AWS SDKs read (after the AWS_BEDROCK_* keys).
    {"AWS_ACCESS_KEY_ID", "aws-bedrock", ProviderEnvVar::Target::Setting, "aws_access_key_id"},
    {"AWS_SECRET_ACCESS_KEY", "aws-bedrock", ProviderEnvVar::Target::Setting, "aws_secret_access_key"},
    {"AWS_SESSION_TOKEN", "aws-bedrock", ProviderEnvVar::Target::Setting, "aws_session_token"},
    {"AWS_PROFILE", "aws-bedrock", ProviderEnvVar::Target::Setting, "aws_profile"},
    {"HOME", "aws-bedrock", ProviderEnvVar::Target::Setting, "home"},
    {"AWS_SHARED_CREDENTIALS_FILE", "aws-bedrock", ProviderEnvVar::Target::Setting, "credentials_file"},
    {"AWS_CONFIG_FILE", "aws-bedrock", ProviderEnvVar::Target::Setting, "config_file"},
    {"AWS_WEB_IDENTITY_TOKEN_FILE", "aws-bedrock", ProviderEnvVar::Target::Setting, "web_identity_token_file"},
    {"AWS_ROLE_ARN", "aws-bedrock", ProviderEnvVar::Target::Setting, "role_arn"},
    {"AWS_ROLE_SESSION_NAME", "aws-bedrock", ProviderEnvVar::Target::Setting, "role_session_name"},
    {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "aws-bedrock", ProviderEnvVar::Target::Setting, "container_credentials_full_uri"},
    {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "aws-bedrock", ProviderEnvVar::Target::Setting,
     "container_credentials_relative_uri"},
    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "aws-bedrock", ProviderEnvVar::Target::Setting, "container_authorization_token"},
    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "aws-bedrock", ProviderEnvVar::Target::Setting,
     "container_authorization_token_file"},
    {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "aws-bedrock", ProviderEnvVar::Target::Setting, "imds_endpoint"},
    {"AWS_EC2_METADATA_DISABLED", "aws-bedrock", ProviderEnvVar::Target::Setting, "imds_disabled"},
    {"GCP_VERTEX_PROJECT_ID", "gcp-vertex", ProviderEnvVar::Target::Setting, "project_id"},
    {"GCP_VERTEX_LOCATION", "gcp-vertex", ProviderEnvVar::Target::Setting, "location"},
    {"GCP_VERTEX_ACCESS_TOKEN", "gcp-vertex", ProviderEnvVar::Target::Setting, "access_token"},
    {"GCP_VERTEX_TIMEOUT", "gcp-vertex", ProviderEnvVar::Target::Timeout, {}},
    // Google's own names: a service-account key file, another metadata server.
    {"GOOGLE_APPLICATION_CREDENTIALS", "gcp-vertex", ProviderEnvVar::Target::Setting, "credentials_file"},
    {"GCE_METADATA_HOST", "gcp-vertex", ProviderEnvVar::Target::Setting, "metadata_host"},
    {"AZURE_OPENAI_ENDPOINT", "azure-openai", ProviderEnvVar::Target::Setting, "endpoint"},
    {"AZURE_OPENAI_API_KEY", "azure-openai", ProviderEnvVar::Target::Setting, "api_key"},
    {"AZURE_OPENAI_TIMEOUT", "azure-openai", ProviderEnvVar::Target::Timeout, {}},
    // Entra ID client credentials, by the names @azure/identity reads.
    {"AZURE_TENANT_ID", "azure-openai", ProviderEnvVar::Target::Setting, "tenant_id"},
    {"AZURE_CLIENT_ID", "azure-openai", ProviderEnvVar::Target::Setting, "client_id"},
    {"AZURE_CLIENT_SECRET", "azure-openai", ProviderEnvVar::Target::Setting, "client_secret"},
    {"OPENAI_API_KEY", "openai", ProviderEnvVar::Target::Setting, "api_key"},
    {"ANTHROPIC_API_KEY", "anthropic", ProviderEnvVar::Target::Setting, "api_key"},
}};

// Applies every variable above that is set and non-empty (an empty value
// counts as unset) to `config`. Bad values are reported to `ctx` naming the
// variable, never echoing its value.
void apply_env_overrides(Config &config, const Environment &env, LoadContext &ctx);

} // namespace helix::config
