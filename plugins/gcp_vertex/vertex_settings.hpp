#pragma once
// Settings of the gcp-vertex provider (its `settings:` map; the host fills
// project_id, location and access_token from GCP_VERTEX_PROJECT_ID,
// GCP_VERTEX_LOCATION and GCP_VERTEX_ACCESS_TOKEN, credentials_file from
// GOOGLE_APPLICATION_CREDENTIALS and metadata_host from GCE_METADATA_HOST):
//   project_id        required, unless the service-account key file names one
//   location          default us-central1; "global" and the multi-regions
//                     "us" / "eu" have their own hosts (vertex_settings.cpp, model_url)
//   endpoint          base URL instead of the one the location implies (a
//                     simulator, a private endpoint)
//   api_version       v1 (default) or v1beta1
//   models            default: gemini-1.5-pro, gemini-1.0-pro, text-bison, code-bison;
//                     Claude (claude-sonnet-4-5@20250929, ...: vertex_claude.hpp), the
//                     partner models of the OpenAI-compatible endpoint (meta/llama-...-maas:
//                     openai_endpoint.hpp) and the embedding models are served only where listed
//   extra_fields      /v1/messages body fields passed to Claude's rawPredict besides
//                     the ones it accepts today (plugins/common/messages_fields.hpp)
// Authentication, the first that applies:
//   api_key           a Vertex AI API key (GCP_VERTEX_API_KEY), sent as
//                     x-goog-api-key; without project_id the express-mode form
//                     https://aiplatform.googleapis.com/{v}/publishers/google/models/{model}:{method}
//                     is used, with one the project's regional URL (a key
//                     bound to a service account); not together with access_token
//   access_token      a bearer token used as is (it cannot be refreshed: when
//                     Google refuses it the request fails with a clear error)
//   credentials_file  an Application Default Credentials file (JSON), by its
//                     "type": service_account (an RS256-signed JWT is exchanged at
//                     the key's token_uri), authorized_user (gcloud's refresh
//                     token; token_uri overrides Google's endpoint), external_account
//                     (workload identity federation; adc_file.hpp): an executable
//                     source needs allow_executables (GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1);
//                     an AWS source takes aws_region, aws_access_key_id,
//                     aws_secret_access_key, aws_session_token (AWS_REGION,
//                     AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, ...) over the
//                     instance metadata service
//   otherwise         the metadata server of the machine (GCE, GKE, Cloud Run):
//                     metadata_host, default metadata.google.internal
// The key file is read once, when the settings are applied.

#include "plugins/common/forwarded_fields.hpp"
#include "plugins/gcp_common/service_account.hpp"
#include "plugins/gcp_vertex/adc_file.hpp"

#include <helixagent/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::gcp_vertex {

inline constexpr std::string_view kDefaultLocation = "us-central1";
inline constexpr std::string_view kDefaultMetadataHost = "metadata.google.internal";

enum class AuthMethod { api_key, access_token, service_account, authorized_user, external_account, metadata_server };

struct Settings {
    std::string project_id;
    std::string location{kDefaultLocation};
    std::string endpoint; // base URL, no trailing '/'
    std::string api_version = "v1";
    std::vector<helix::sdk::Model> models;
    std::string api_key; // express mode (or a key bound to a service account)
    helix::plugin_common::ForwardedFields fields; // extra_fields
    std::string access_token;
    std::string credentials_file;
    std::optional<helix::gcp::ServiceAccountKey> service_account; // read from credentials_file
    std::optional<helix::gcp::RsaKey> signing_key;                 // its private_key, parsed once
    std::optional<AuthorizedUser> authorized_user;                 // or: gcloud's user credentials
    std::optional<ExternalAccount> external_account;               // or: workload identity federation
    std::string token_uri; // overrides an authorized_user file's token endpoint (a simulator)
    // x-goog-user-project: the file's quota_project_id (billing for user and federated credentials).
    std::string quota_project_id;
    std::string metadata_host{kDefaultMetadataHost};

    AuthMethod auth() const noexcept;
    bool express_mode() const noexcept { return !api_key.empty() && project_id.empty(); }
    // https://{location}-aiplatform.googleapis.com/v1/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}:{method}
    std::string model_url(std::string_view model, std::string_view method, std::string_view publisher = "google") const;
    // The OpenAI-compatible endpoint of partner models (openai_endpoint.hpp):
    // https://{location}-aiplatform.googleapis.com/v1/projects/{p}/locations/{l}/endpoints/openapi/chat/completions
    std::string openai_endpoint_url() const;
    // https://{location}-aiplatform.googleapis.com, or the global and multi-region hosts, or `endpoint`.
    std::string base_url() const;
};

// Parses the settings and reads the key file; throws HELIX_ERR_CONFIG naming
// the setting (never quoting a secret or the key file's contents).
Settings parse_settings(std::string_view json);

// The legacy PaLM / Codey models served through :predict.
bool is_predict_model(std::string_view model) noexcept;

} // namespace helix::gcp_vertex
