#pragma once
// Settings of the aws_bedrock provider (its `settings:` map in helixagent.yaml).
// A plugin never reads the process environment: where the AWS SDKs read an
// environment variable, the host maps that variable to the key named here
// (the plugin's settings table, settings_table.cpp, names them; the host
// applies them; plugins/aws_bedrock/README.md lists them). Every value is a string (as the host's
// environment mapping writes them) unless said otherwise.
//
// Where requests go
//   region              signing region and default endpoint region; default
//                       us-east-1 (AWS_BEDROCK_REGION)
//   endpoint            default https://bedrock-runtime.{region}.amazonaws.com;
//                       http(s)://host[:port][/prefix], e.g. a simulator at
//                       http://127.0.0.1:4566 (signatures use its host:port)
//   models              list of ids or {id, upstream_id, context_window,
//                       capabilities}; default: the catalog() below, its models under
//                       their short names (anthropic.claude-3-sonnet ->
//                       anthropic.claude-3-sonnet-20240229-v1:0, ...) and
//                       under their full ids. A listed short name is sent
//                       upstream as its full id, or for a model served
//                       through inference profiles (Claude 3.7 and 4.x, Llama
//                       3.1+ and 4, Nova Premier) as the profile of the
//                       region's geography (us., eu., apac.; else global.):
//                       anthropic.claude-sonnet-4-5 in us-east-1 ->
//                       us.anthropic.claude-sonnet-4-5-20250929-v1:0.
//   extra_fields        Messages body fields passed to Claude's InvokeModel
//                       besides the ones it accepts today
//                       (plugins/common/messages_fields.hpp)
//
// Credentials, tried in this order (the AWS SDKs' default chain, after the
// provider's own AWS_BEDROCK_* keys); the first link that has something wins:
//   1. access_key_id, secret_access_key, session_token
//                       AWS_BEDROCK_ACCESS_KEY_ID etc.
//   2. aws_access_key_id, aws_secret_access_key, aws_session_token
//                       the standard AWS_ACCESS_KEY_ID etc. (half a pair is
//                       skipped with a warning, as the SDKs skip the link;
//                       half of an AWS_BEDROCK_* pair is a configuration error)
//   3. the shared files: profile (explicit setting) or aws_profile
//                       (AWS_PROFILE), else "default"; credentials_file
//                       (AWS_SHARED_CREDENTIALS_FILE, default
//                       ~/.aws/credentials) then config_file (AWS_CONFIG_FILE,
//                       default ~/.aws/config, sections [profile name] and
//                       [default]); for one profile the credentials file wins
//                       key by key. "~/" expands with `home` (HOME); without
//                       `home` the default paths are skipped. A profile gives
//                       aws_access_key_id / aws_secret_access_key /
//                       aws_session_token, role_arn + source_profile /
//                       credential_source (AssumeRole), web_identity_token_file
//                       + role_arn (link 4's STS call), IAM Identity Center
//                       (sso_credentials.hpp) or credential_process
//                       (process_credentials.hpp: run by the host). A profile
//                       that names none of these (e.g. only `region`) is
//                       skipped. A profile named explicitly that neither file
//                       has is a configuration error.
//   4. web_identity_token_file + role_arn (+ role_session_name)
//                       AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
//                       AWS_ROLE_SESSION_NAME: the token file is read at each
//                       refresh (it rotates) and sent to STS
//                       AssumeRoleWithWebIdentity at sts_endpoint (default
//                       https://sts.{region}.amazonaws.com; AWS_ENDPOINT_URL_STS)
//   5. container_credentials_relative_uri (appended to ecs_endpoint, default
//                       http://169.254.170.2) or container_credentials_full_uri
//                       (http only to loopback, 169.254.170.2, 169.254.170.23
//                       or [fd00:ec2::23]; https anywhere), with
//                       container_authorization_token or the contents of
//                       container_authorization_token_file as Authorization
//   6. IMDSv2 at imds_endpoint (default http://169.254.169.254;
//                       AWS_EC2_METADATA_SERVICE_ENDPOINT) unless imds_disabled
//                       is "true" (AWS_EC2_METADATA_DISABLED)
// Temporary credentials are cached and refreshed five minutes before they
// expire; they are never logged nor put into an error message.
//
// File access: plugins do no I/O, with one exception made here on purpose:
// the shared credentials/config files and the token files are configuration
// that the AWS tooling keeps in files, so they are read (never written) when
// the instance is created and whenever credentials are (re)resolved. No
// sockets: every network request goes through the host's http_fetch.
// Unknown keys are configuration errors (they are usually typos).

#include "plugins/common/forwarded_fields.hpp"
#include "plugins/common/settings.hpp"

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::aws_bedrock {

inline constexpr std::string_view kDefaultRegion = "us-east-1";
inline constexpr std::string_view kDefaultImdsEndpoint = "http://169.254.169.254";
inline constexpr std::string_view kDefaultEcsEndpoint = "http://169.254.170.2";
inline constexpr std::string_view kSigningName = "bedrock";

struct Settings {
    std::string region{kDefaultRegion};
    std::string endpoint; // without a trailing '/'
    bool use_fips = false; // default endpoints bedrock-runtime-fips.{region}, sts-fips.{region}
    // A Bedrock API key: sent as "Authorization: Bearer <key>" instead of SigV4;
    // the credential chain is then not used at all.
    std::string api_key;
    std::vector<helix::sdk::Model> models;
    helix::plugin_common::ForwardedFields fields; // extra_fields

    // Link 1 and 2.
    std::string access_key_id, secret_access_key, session_token;
    std::string aws_access_key_id, aws_secret_access_key, aws_session_token;
    // Link 3.
    std::string profile;     // explicit (setting `profile`, else `aws_profile`); empty = "default"
    std::string home;        // for "~/" in paths
    std::string credentials_file; // as configured; empty = default
    std::string config_file;
    // Link 4.
    std::string web_identity_token_file, role_arn, role_session_name;
    std::string sts_endpoint;
    // AssumeRole on top of the chain (role_arn without web_identity_token_file).
    std::string external_id;
    std::optional<std::int64_t> duration_seconds; // 900..43200; STS's default (3600) when unset
    // IAM Identity Center: the portal endpoint; empty = https://portal.sso.{sso_region}.amazonaws.com.
    std::string sso_endpoint;
    // Link 5.
    std::string container_credentials_full_uri, container_credentials_relative_uri;
    std::string container_authorization_token, container_authorization_token_file;
    std::string ecs_endpoint{kDefaultEcsEndpoint};
    // Link 6.
    std::string imds_endpoint{kDefaultImdsEndpoint};
    bool imds_disabled = false;

    // Settings that are skipped (half an AWS_* key pair, web identity without
    // its role); the provider logs them once.
    std::vector<std::string> warnings;

    // The credentials file and config file paths with "~/" expanded; nullopt
    // when the path is the default and `home` is unknown.
    std::optional<std::string> credentials_path() const;
    std::optional<std::string> config_path() const;
    const std::string &profile_name() const;
    bool profile_explicit() const noexcept { return !profile.empty(); }
};

Settings parse_settings(std::string_view json);

// The default catalog: short name, full id, capabilities, context window.
struct CatalogEntry {
    std::string_view short_name;
    std::string_view id;
    std::uint32_t capabilities;
    std::int64_t context_window;
    std::uint32_t max_embedding_inputs = 0; // embedding models: texts per InvokeModel call
    bool listed_by_default = true;          // false: served only where `models` lists it
    // The cross-Region inference profiles ("us eu apac global") through which
    // AWS serves the model on demand; empty: invoked by its own id.
    std::string_view profiles = {};
};
const std::vector<CatalogEntry> &catalog();

// The upstream id for a model id: a short name of the catalog becomes its
// full id; anything else is used as given.
std::string_view upstream_model_id(std::string_view model);

// The inference profile geography of a region: us-* and ca-* "us", eu-* "eu",
// ap-* "apac"; empty for others (GovCloud, ...).
std::string_view profile_geography(std::string_view region) noexcept;

// As upstream_model_id(), but a short name of a model served through
// inference profiles becomes the profile of the region's geography
// ("us.anthropic.claude-sonnet-4-5-20250929-v1:0" in us-east-1), else its
// global profile, else its full id.
std::string regional_upstream_id(std::string_view model, std::string_view region);

// True when Converse refuses a system prompt for this model (Amazon Titan
// Text), so that the request builder folds it into the first user message.
bool model_lacks_system_prompt(std::string_view upstream_id) noexcept;

// "~/x" -> home + "/x"; nullopt when the path starts with "~/" and home is empty.
std::optional<std::string> expand_home(std::string_view path, std::string_view home);

} // namespace helix::aws_bedrock
