// The gcp_vertex plugin's settings table: every key of its `settings:` map, and
// the environment variables that fill it for the provider named "gcp-vertex".
#include "plugins/gcp_vertex/vertex_provider.hpp"

namespace helix::gcp_vertex {

std::vector<helix::sdk::Setting> VertexProvider::settings() {
    return {
        {.name = "project_id", .type = HELIX_SETTING_STRING, .description = "The Google Cloud project.", .env = {"GCP_VERTEX_PROJECT_ID"}, .env_provider = "gcp-vertex"},
        {.name = "location", .type = HELIX_SETTING_STRING, .description = "The region (us-central1), global, or a multi-region (us, eu).", .default_value = "us-central1", .env = {"GCP_VERTEX_LOCATION"}, .env_provider = "gcp-vertex"},
        {.name = "endpoint", .type = HELIX_SETTING_STRING, .description = "The API endpoint; default from location."},
        {.name = "api_version", .type = HELIX_SETTING_STRING, .description = "v1 or v1beta1.", .default_value = "v1"},
        {.name = "models", .type = HELIX_SETTING_LIST, .description = "Models to advertise: ids, or maps {id, upstream_id, context_window, capabilities}."},
        {.name = "api_key", .type = HELIX_SETTING_STRING, .description = "A Vertex AI API key (x-goog-api-key); without project_id, express mode.", .flags = HELIX_SETTING_SECRET, .env = {"GCP_VERTEX_API_KEY"}, .env_provider = "gcp-vertex"},
        {.name = "extra_fields", .type = HELIX_SETTING_LIST, .description = "Messages API body fields to pass to Claude's rawPredict besides the ones it accepts today."},
        {.name = "access_token", .type = HELIX_SETTING_STRING, .description = "A static OAuth access token.", .flags = HELIX_SETTING_SECRET, .env = {"GCP_VERTEX_ACCESS_TOKEN"}, .env_provider = "gcp-vertex"},
        {.name = "credentials_file", .type = HELIX_SETTING_STRING, .description = "An ADC file: service_account, authorized_user or external_account.", .env = {"GOOGLE_APPLICATION_CREDENTIALS"}, .env_provider = "gcp-vertex"},
        {.name = "token_uri", .type = HELIX_SETTING_STRING, .description = "The OAuth2 token endpoint for an authorized_user file; default https://oauth2.googleapis.com/token."},
        {.name = "allow_executables", .type = HELIX_SETTING_BOOLEAN, .description = "Run the executable an external_account file names.", .default_value = "false", .env = {"GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"}, .env_provider = "gcp-vertex"},
        {.name = "aws_region", .type = HELIX_SETTING_STRING, .description = "An AWS-sourced external_account: the region (else the instance metadata).", .env = {"AWS_REGION", "AWS_DEFAULT_REGION"}, .env_provider = "gcp-vertex"},
        {.name = "aws_access_key_id", .type = HELIX_SETTING_STRING, .description = "An AWS-sourced external_account: the access key (else the instance role).", .env = {"AWS_ACCESS_KEY_ID"}, .env_provider = "gcp-vertex"},
        {.name = "aws_secret_access_key", .type = HELIX_SETTING_STRING, .description = "An AWS-sourced external_account: the secret key.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_SECRET_ACCESS_KEY"}, .env_provider = "gcp-vertex"},
        {.name = "aws_session_token", .type = HELIX_SETTING_STRING, .description = "An AWS-sourced external_account: the session token.", .flags = HELIX_SETTING_SECRET, .env = {"AWS_SESSION_TOKEN"}, .env_provider = "gcp-vertex"},
        {.name = "metadata_host", .type = HELIX_SETTING_STRING, .description = "The metadata server.", .default_value = "metadata.google.internal", .env = {"GCE_METADATA_HOST"}, .env_provider = "gcp-vertex"},
        {.name = "timeout", .type = HELIX_SETTING_DURATION, .description = "The provider's timeout (plugins.NAME.timeout).", .flags = HELIX_SETTING_HOST_OPTION, .env = {"GCP_VERTEX_TIMEOUT"}, .env_provider = "gcp-vertex"},
    };
}

} // namespace helix::gcp_vertex
