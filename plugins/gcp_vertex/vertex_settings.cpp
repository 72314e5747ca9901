#include "plugins/gcp_vertex/vertex_settings.hpp"

#include "plugins/common/local_file.hpp"
#include "plugins/common/percent_encoding.hpp"
#include "plugins/common/settings.hpp"

namespace helix::gcp_vertex {

namespace {

// Images and documents by http(s) URL reach Gemini (and Claude on Vertex) as
// bytes the host fetched (HELIX_MODEL_INLINE_MEDIA); gs:// URIs go as they are.
constexpr std::uint32_t kMedia = HELIX_MODEL_VISION | HELIX_MODEL_DOCUMENTS | HELIX_MODEL_INLINE_MEDIA;
constexpr std::uint32_t kGemini = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | kMedia | HELIX_MODEL_MULTIPLE_CHOICES;
constexpr std::uint32_t kGeminiThinking = kGemini | HELIX_MODEL_REASONING;
constexpr std::uint32_t kGeminiText = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_MULTIPLE_CHOICES;
// Streams are served as one final chunk (predict has no useful stream of its own).
constexpr std::uint32_t kPredict = HELIX_MODEL_STREAMING;
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
// Claude answers one choice per request and speaks the Messages API itself.
constexpr std::uint32_t kClaudeText = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_MESSAGES;
constexpr std::uint32_t kClaude = kClaudeText | kMedia;
constexpr std::uint32_t kClaudeThinking = kClaude | HELIX_MODEL_REASONING;
// Llama answers one choice per request.
constexpr std::uint32_t kLlama = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS;
constexpr std::uint32_t kLlamaVision = kLlama | HELIX_MODEL_VISION;

const std::vector<helix::plugin_common::KnownModel> &known_models() {
    static const std::vector<helix::plugin_common::KnownModel> models{
        {"gemini-1.5-pro", kGemini, 2'097'152},
        {"gemini-1.0-pro", kGeminiText, 32'760},
        {"text-bison", kPredict, 8'192},
        {"code-bison", kPredict, 6'144},
        // Gemini 2.x and 3 (Gemini 3 is served from location global). 2.5 and 3
        // think (thinkingBudget / thinkingLevel).
        {"gemini-2.5-pro", kGeminiThinking, 1'048'576},
        {"gemini-2.5-flash", kGeminiThinking, 1'048'576},
        {"gemini-2.5-flash-lite", kGeminiThinking, 1'048'576},
        {"gemini-2.0-flash", kGemini, 1'048'576},
        {"gemini-2.0-flash-lite", kGemini, 1'048'576},
        {"gemini-3-pro-preview", kGeminiThinking, 1'048'576},
        // Embeddings through :predict (served where `models` lists them): 250
        // instances per call; gemini-embedding-001 one.
        {"text-embedding-005", HELIX_MODEL_EMBEDDINGS, 2'048, 250, false},
        {"gemini-embedding-001", HELIX_MODEL_EMBEDDINGS, 2'048, 1, false},
        // Claude, Anthropic's models in the Model Garden (rawPredict, vertex_claude.hpp):
        // served where `models` lists them, since each is enabled per project and
        // served in a few locations (us-east5, europe-west1, global, ...).
        {"claude-opus-4-5@20251101", kClaudeThinking, 200'000, 0, false},
        {"claude-sonnet-4-5@20250929", kClaudeThinking, 200'000, 0, false},
        {"claude-haiku-4-5@20251001", kClaudeThinking, 200'000, 0, false},
        {"claude-opus-4-1@20250805", kClaudeThinking, 200'000, 0, false},
        {"claude-opus-4@20250514", kClaudeThinking, 200'000, 0, false},
        {"claude-sonnet-4@20250514", kClaudeThinking, 200'000, 0, false},
        {"claude-3-7-sonnet@20250219", kClaudeThinking, 200'000, 0, false},
        {"claude-3-5-sonnet-v2@20241022", kClaude, 200'000, 0, false},
        {"claude-3-5-haiku@20241022", kClaudeText, 200'000, 0, false},
        {"claude-3-haiku@20240307", kClaude, 200'000, 0, false},
        // Meta's Llama as a service (the OpenAI-compatible endpoint, openai_endpoint.hpp):
        // served where `models` lists them, since each is enabled per project in
        // the Model Garden and served in a few locations (Llama 4 in us-east5,
        // Llama 3.x in us-central1). Context windows as Vertex serves them.
        {"meta/llama-4-maverick-17b-128e-instruct-maas", kLlamaVision, 524'288, 0, false},
        {"meta/llama-4-scout-17b-16e-instruct-maas", kLlamaVision, 1'310'720, 0, false},
        {"meta/llama-3.3-70b-instruct-maas", kLlama, 128'000, 0, false},
        {"meta/llama-3.1-405b-instruct-maas", kLlama, 128'000, 0, false},
        {"meta/llama-3.1-70b-instruct-maas", kLlama, 128'000, 0, false},
        {"meta/llama-3.1-8b-instruct-maas", kLlama, 128'000, 0, false},
        {"meta/llama-3.2-90b-vision-instruct-maas", HELIX_MODEL_STREAMING | HELIX_MODEL_VISION, 128'000, 0, false},
    };
    return models;
}

void require_config(bool ok, const std::string &message) {
    if (!ok) throw helix::sdk::Error(HELIX_ERR_CONFIG, message);
}

bool is_name(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

// The settings an external_account's source takes from the environment.
struct FederationEnvironment {
    bool allow_executables = false;
    std::string aws_region;
    helix::aws::Credentials aws_credentials;
};

bool flag(const helix::plugin_common::SettingsReader &reader, std::string_view key) {
    const boost::json::value *v = reader.object().if_contains(key);
    if (v == nullptr || v->is_null()) return false;
    if (v->is_bool()) return v->get_bool();
    // From the environment the host hands a string (GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1).
    if (v->is_string() && (v->get_string() == "1" || v->get_string() == "true")) return true;
    if (v->is_string() && (v->get_string() == "0" || v->get_string() == "false" || v->get_string().empty())) return false;
    throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings." + std::string(key) + ": expected true or false (or 1 / 0)");
}

void read_key_file(Settings &s, const FederationEnvironment &env) {
    const std::string &path = s.credentials_file;
    const auto text = helix::plugin_common::read_local_file(path, kMaxKeyFileBytes, "credentials file");
    require_config(text.has_value(), "settings.credentials_file: the credentials file '" + path +
                                         "' does not exist (GOOGLE_APPLICATION_CREDENTIALS)");
    const std::string type = credentials_file_type(*text);
    if (type == "authorized_user") {
        s.authorized_user = parse_authorized_user(*text, path);
        if (!s.token_uri.empty()) s.authorized_user->token_uri = s.token_uri;
        s.quota_project_id = s.authorized_user->quota_project_id;
        return;
    }
    if (type == "external_account") {
        s.external_account = parse_external_account(*text, path);
        s.quota_project_id = s.external_account->quota_project_id;
        require_config(!s.external_account->executable || env.allow_executables,
                       "settings.credentials_file '" + path + "' names an executable credential source; executables "
                       "run only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 (settings.allow_executables: true)");
        if (auto &aws = s.external_account->aws) {
            require_config(env.aws_region.empty() || is_name(env.aws_region),
                           "settings.aws_region must be an AWS region such as us-east-1 (AWS_REGION)");
            require_config(!adc_has_control(env.aws_credentials.access_key_id) &&
                               !adc_has_control(env.aws_credentials.session_token),
                           "settings.aws_access_key_id and aws_session_token must be one line (AWS_ACCESS_KEY_ID, "
                           "AWS_SESSION_TOKEN)");
            aws->region = env.aws_region;
            aws->credentials = env.aws_credentials;
            require_config(!aws->region.empty() || !aws->region_url.empty(),
                           "settings.credentials_file '" + path + "': the AWS region is unknown: set AWS_REGION "
                           "(settings.aws_region) or credential_source.region_url");
            const bool keys = !aws->credentials.access_key_id.empty() && !aws->credentials.secret_access_key.empty();
            require_config(keys || !aws->credentials_url.empty(),
                           "settings.credentials_file '" + path + "': no AWS credentials: set AWS_ACCESS_KEY_ID and "
                           "AWS_SECRET_ACCESS_KEY (settings.aws_access_key_id, aws_secret_access_key) or "
                           "credential_source.url");
        }
        return;
    }
    require_config(type.empty() || type == "service_account",
                   "settings.credentials_file '" + path + "' has type '" + type.substr(0, 40) +
                       "'; supported: service_account, authorized_user, external_account");
    std::string error;
    auto key = helix::gcp::parse_service_account_key(*text, error);
    require_config(key.has_value(), "settings.credentials_file '" + path + "' is not a service-account key: " + error);
    std::string key_error;
    s.signing_key = helix::gcp::RsaKey::from_private_pem(key->private_key, key_error);
    require_config(s.signing_key.has_value(),
                   "settings.credentials_file '" + path + "': its private_key cannot be read (" + key_error + ")");
    s.service_account = std::move(*key);
}

} // namespace

bool is_predict_model(std::string_view model) noexcept {
    // text-bison, text-bison@002, code-bison-32k, code-gecko, chat-bison ...
    return model.find("-bison") != std::string_view::npos || model.find("-gecko") != std::string_view::npos;
}

AuthMethod Settings::auth() const noexcept {
    if (!api_key.empty()) return AuthMethod::api_key;
    if (!access_token.empty()) return AuthMethod::access_token;
    if (service_account) return AuthMethod::service_account;
    if (authorized_user) return AuthMethod::authorized_user;
    if (external_account) return AuthMethod::external_account;
    return AuthMethod::metadata_server;
}

std::string Settings::base_url() const {
    if (!endpoint.empty()) return endpoint;
    if (express_mode() || location == "global") return "https://aiplatform.googleapis.com";
    if (location == "us" || location == "eu") return "https://aiplatform." + location + ".rep.googleapis.com";
    return "https://" + location + "-aiplatform.googleapis.com";
}

std::string Settings::model_url(std::string_view model, std::string_view method, std::string_view publisher) const {
    using helix::plugin_common::percent_encode;
    if (express_mode())
        return base_url() + "/" + api_version + "/publishers/" + std::string(publisher) + "/models/" +
               percent_encode(model) + ":" + std::string(method);
    return base_url() + "/" + api_version + "/projects/" + percent_encode(project_id) + "/locations/" +
           percent_encode(location) + "/publishers/" + std::string(publisher) + "/models/" + percent_encode(model) + ":" + std::string(method);
}

std::string Settings::openai_endpoint_url() const {
    using helix::plugin_common::percent_encode;
    return base_url() + "/" + api_version + "/projects/" + percent_encode(project_id) + "/locations/" +
           percent_encode(location) + "/endpoints/openapi/chat/completions";
}

Settings parse_settings(std::string_view json) {
    const helix::plugin_common::SettingsReader reader(json);
    reader.reject_unknown({"project_id", "location", "endpoint", "api_version", "models", "api_key", "access_token",
                           "credentials_file", "metadata_host", "token_uri", "allow_executables", "aws_region",
                           "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "extra_fields"});
    Settings s;
    if (auto v = reader.string("project_id")) s.project_id = std::move(*v);
    if (auto v = reader.non_empty_string("location")) {
        require_config(is_name(*v), "settings.location must be a region such as us-central1, or global, us, eu");
        s.location = std::move(*v);
    }
    if (auto v = reader.base_url("endpoint")) s.endpoint = std::move(*v);
    if (auto v = reader.non_empty_string("api_version")) {
        require_config(*v == "v1" || *v == "v1beta1", "settings.api_version must be v1 or v1beta1");
        s.api_version = std::move(*v);
    }
    s.models = helix::plugin_common::read_models(reader, "models", known_models(), kGemini);
    if (auto v = reader.header_value("api_key")) s.api_key = std::move(*v);
    // A Claude model listed under another id (an alias, a newer version) still goes to rawPredict.
    for (auto &m : s.models)
        if (m.upstream_id.starts_with("claude-")) m.capabilities = (m.capabilities & ~HELIX_MODEL_MULTIPLE_CHOICES) | HELIX_MODEL_MESSAGES;
    s.fields = helix::plugin_common::read_forwarded_fields(reader, false);
    if (auto v = reader.header_value("access_token")) s.access_token = std::move(*v);
    require_config(s.api_key.empty() || s.access_token.empty(),
                   "settings.api_key and settings.access_token are both set (GCP_VERTEX_API_KEY, "
                   "GCP_VERTEX_ACCESS_TOKEN); keep one");
    if (auto v = reader.string("credentials_file")) s.credentials_file = std::move(*v);
    if (auto v = reader.non_empty_string("metadata_host")) {
        require_config(v->find_first_of("/ \t\r\n") == std::string::npos,
                       "settings.metadata_host must be host[:port] (GCE_METADATA_HOST), without a scheme or path");
        s.metadata_host = std::move(*v);
    }
    if (auto v = reader.base_url("token_uri")) s.token_uri = std::move(*v);
    FederationEnvironment env;
    env.allow_executables = flag(reader, "allow_executables");
    // Read for an AWS-sourced file only: the variables may be there for the aws-bedrock provider.
    if (auto v = reader.string("aws_region")) env.aws_region = std::move(*v);
    if (auto v = reader.string("aws_access_key_id")) env.aws_credentials.access_key_id = std::move(*v);
    if (auto v = reader.string("aws_secret_access_key")) env.aws_credentials.secret_access_key = std::move(*v);
    if (auto v = reader.string("aws_session_token")) env.aws_credentials.session_token = std::move(*v);
    if (s.access_token.empty() && s.api_key.empty() && !s.credentials_file.empty()) {
        read_key_file(s, env);
        if (s.project_id.empty() && s.service_account) s.project_id = s.service_account->project_id;
        if (s.project_id.empty()) s.project_id = s.quota_project_id;
    }
    if (s.express_mode()) return s; // the key names the project
    require_config(is_name(s.project_id),
                   s.project_id.empty() ? "settings.project_id is required (GCP_VERTEX_PROJECT_ID)"
                                        : "settings.project_id must be a project id (lower-case letters, digits, '-')");
    return s;
}

} // namespace helix::gcp_vertex
