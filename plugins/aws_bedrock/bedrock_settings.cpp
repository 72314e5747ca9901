#include "plugins/aws_bedrock/bedrock_settings.hpp"

#include "plugins/aws_common/sigv4.hpp"

#include <boost/json/value.hpp>

#include <charconv>

namespace helix::aws_bedrock {

namespace {

using helix::plugin_common::SettingsReader;

// Converse (and InvokeModel) take images and documents as bytes only: the
// host fetches URLs (HELIX_MODEL_INLINE_MEDIA).
constexpr std::uint32_t kMedia = HELIX_MODEL_VISION | HELIX_MODEL_DOCUMENTS | HELIX_MODEL_INLINE_MEDIA;
constexpr std::uint32_t kClaude = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | kMedia;
// Claude 3.7 and 4.x take extended thinking (a reasoning budget).
constexpr std::uint32_t kClaudeThinking = kClaude | HELIX_MODEL_REASONING;
constexpr std::uint32_t kText = HELIX_MODEL_STREAMING;
constexpr std::uint32_t kTools = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS;
constexpr std::uint32_t kVision = kTools | kMedia;

void require_config(bool ok, const std::string &message) {
    if (!ok) throw helix::sdk::Error(HELIX_ERR_CONFIG, message);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// A string setting that ends up in a header or a form field: no control characters.
std::string text_setting(const SettingsReader &reader, std::string_view key) {
    return reader.header_value(key).value_or(std::string());
}

// A path: any string without NUL or line breaks.
std::string path_setting(const SettingsReader &reader, std::string_view key) {
    return text_setting(reader, key);
}

// A URL setting: http(s), no trailing '/', no query.
std::optional<std::string> url_setting(const SettingsReader &reader, std::string_view key) {
    return reader.base_url(key);
}

bool bool_setting(const SettingsReader &reader, std::string_view key) {
    const boost::json::value *v = reader.object().if_contains(key);
    if (v == nullptr || v->is_null()) return false;
    if (v->is_bool()) return v->get_bool();
    if (v->is_string()) {
        const std::string s = lower(v->get_string());
        if (s == "true" || s == "1" || s == "yes") return true;
        if (s == "false" || s == "0" || s == "no" || s.empty()) return false;
    }
    throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings." + std::string(key) + " must be true or false");
}

// Whole seconds in [min, max], as a number or a string of digits (the host's
// environment mapping writes strings); nullopt when absent.
std::optional<std::int64_t> seconds_setting(const SettingsReader &reader, std::string_view key, std::int64_t min,
                                            std::int64_t max) {
    const boost::json::value *v = reader.object().if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) return reader.integer(key, min, max);
    const std::string_view text = v->get_string();
    std::int64_t n = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    require_config(error == std::errc{} && end == text.data() + text.size() && n >= min && n <= max,
                   "settings." + std::string(key) + " must be whole seconds between " + std::to_string(min) +
                       " and " + std::to_string(max));
    return n;
}

// The host name of a URL without port and brackets, lowercase.
std::string url_hostname(std::string_view url) {
    const auto parts = helix::aws::split_url(url);
    if (!parts) return {};
    std::string_view host = parts->host;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        return lower(host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    return lower(host.substr(0, host.find(':')));
}

// The AWS SDKs allow plain http for the container credentials full URI only
// to these hosts (loopback, the ECS and EKS agents).
bool allowed_http_container_host(std::string_view url) {
    if (helix::plugin_common::is_loopback_url(url)) return true;
    const std::string host = url_hostname(url);
    return host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

// A key pair (+ token). The AWS_BEDROCK_* keys are configuration: half a pair is
// an error. The standard AWS_* variables are the environment's: half a pair is
// skipped with a warning, as the SDKs skip that link.
void read_pair(const SettingsReader &reader, std::string_view id_key, std::string_view secret_key,
               std::string_view token_key, bool strict, std::string &id, std::string &secret, std::string &token,
               std::vector<std::string> &warnings) {
    id = text_setting(reader, id_key);
    secret = text_setting(reader, secret_key);
    token = text_setting(reader, token_key);
    std::string problem;
    if (id.empty() != secret.empty())
        problem = "settings." + std::string(id.empty() ? id_key : secret_key) + " is missing: settings." +
                  std::string(id.empty() ? secret_key : id_key) + " needs it (both or neither)";
    else if (!token.empty() && id.empty())
        problem = "settings." + std::string(token_key) + " is set without settings." + std::string(id_key) +
                  " and settings." + std::string(secret_key);
    if (problem.empty()) return;
    require_config(!strict, problem);
    warnings.push_back(problem + "; these keys are skipped");
    id.clear();
    secret.clear();
    token.clear();
}

} // namespace

const std::vector<CatalogEntry> &catalog() {
    // Converse returns one choice per request: no HELIX_MODEL_MULTIPLE_CHOICES.
    // Llama 3 (8B, 70B) and Titan Text have no tool use in Converse; Llama 3.1+
    // and Nova do. Context windows and profiles as AWS publishes them (model
    // cards and "Supported Regions and models for inference profiles").
    // Models that AWS serves on demand only through a cross-Region inference
    // profile list its geographies: their short name goes upstream as the
    // profile of the configured region's geography (regional_upstream_id()).
    static const std::vector<CatalogEntry> entries{
        {"anthropic.claude-3-sonnet", "anthropic.claude-3-sonnet-20240229-v1:0", kClaude, 200000},
        {"anthropic.claude-3-opus", "anthropic.claude-3-opus-20240229-v1:0", kClaude, 200000},
        {"meta.llama3-70b-instruct", "meta.llama3-70b-instruct-v1:0", kText, 8192},
        {"amazon.titan-text-express", "amazon.titan-text-express-v1", kText, 8192},
        // Embeddings (InvokeModel; served where `models` lists them): Titan takes
        // one text per call, Cohere 96.
        {"amazon.titan-embed-text-v2", "amazon.titan-embed-text-v2:0", HELIX_MODEL_EMBEDDINGS, 8192, 1, false},
        {"cohere.embed-english-v3", "cohere.embed-english-v3", HELIX_MODEL_EMBEDDINGS, 512, 96, false},
        {"cohere.embed-multilingual-v3", "cohere.embed-multilingual-v3", HELIX_MODEL_EMBEDDINGS, 512, 96, false},
        // Claude 3 Haiku, 3.7 and 4.x.
        {"anthropic.claude-3-haiku", "anthropic.claude-3-haiku-20240307-v1:0", kClaude, 200000},
        {"anthropic.claude-3-7-sonnet", "anthropic.claude-3-7-sonnet-20250219-v1:0", kClaudeThinking, 200000, 0,
         true, "us eu apac"},
        {"anthropic.claude-sonnet-4", "anthropic.claude-sonnet-4-20250514-v1:0", kClaudeThinking, 200000, 0, true,
         "us eu apac global"},
        {"anthropic.claude-opus-4", "anthropic.claude-opus-4-20250514-v1:0", kClaudeThinking, 200000, 0, true, "us"},
        {"anthropic.claude-opus-4-1", "anthropic.claude-opus-4-1-20250805-v1:0", kClaudeThinking, 200000, 0, true,
         "us"},
        {"anthropic.claude-sonnet-4-5", "anthropic.claude-sonnet-4-5-20250929-v1:0", kClaudeThinking, 200000, 0,
         true, "us eu apac global"},
        {"anthropic.claude-haiku-4-5", "anthropic.claude-haiku-4-5-20251001-v1:0", kClaudeThinking, 200000, 0, true,
         "us eu apac global"},
        {"anthropic.claude-opus-4-5", "anthropic.claude-opus-4-5-20251101-v1:0", kClaudeThinking, 200000, 0, true,
         "us eu apac global"},
        // Llama 3.x and 4.
        {"meta.llama3-8b-instruct", "meta.llama3-8b-instruct-v1:0", kText, 8192},
        {"meta.llama3-1-8b-instruct", "meta.llama3-1-8b-instruct-v1:0", kTools, 128000, 0, true, "us"},
        {"meta.llama3-1-70b-instruct", "meta.llama3-1-70b-instruct-v1:0", kTools, 128000, 0, true, "us"},
        {"meta.llama3-1-405b-instruct", "meta.llama3-1-405b-instruct-v1:0", kTools, 128000},
        {"meta.llama3-2-1b-instruct", "meta.llama3-2-1b-instruct-v1:0", kText, 128000, 0, true, "us eu"},
        {"meta.llama3-2-3b-instruct", "meta.llama3-2-3b-instruct-v1:0", kText, 128000, 0, true, "us eu"},
        {"meta.llama3-2-11b-instruct", "meta.llama3-2-11b-instruct-v1:0", kVision, 128000, 0, true, "us"},
        {"meta.llama3-2-90b-instruct", "meta.llama3-2-90b-instruct-v1:0", kVision, 128000, 0, true, "us"},
        {"meta.llama3-3-70b-instruct", "meta.llama3-3-70b-instruct-v1:0", kTools, 128000, 0, true, "us"},
        {"meta.llama4-scout-17b-instruct", "meta.llama4-scout-17b-instruct-v1:0", kVision, 3500000, 0, true, "us"},
        {"meta.llama4-maverick-17b-instruct", "meta.llama4-maverick-17b-instruct-v1:0", kVision, 1000000, 0, true,
         "us"},
        // Amazon Nova and the rest of Titan Text.
        {"amazon.nova-micro", "amazon.nova-micro-v1:0", kTools, 128000},
        {"amazon.nova-lite", "amazon.nova-lite-v1:0", kVision, 300000},
        {"amazon.nova-pro", "amazon.nova-pro-v1:0", kVision, 300000},
        {"amazon.nova-premier", "amazon.nova-premier-v1:0", kVision, 1000000, 0, true, "us"},
        // Nova 2 reasons (reasoningConfig), on demand through the us. or global. profile.
        {"amazon.nova-2-lite", "amazon.nova-2-lite-v1:0", kVision | HELIX_MODEL_REASONING, 1000000, 0, true, "us global"},
        {"amazon.titan-text-lite", "amazon.titan-text-lite-v1", kText, 4096},
        {"amazon.titan-text-premier", "amazon.titan-text-premier-v1:0", kText, 32000},
    };
    return entries;
}

std::string_view upstream_model_id(std::string_view model) {
    for (const CatalogEntry &e : catalog())
        if (e.short_name == model) return e.id;
    return model;
}

std::string_view profile_geography(std::string_view region) noexcept {
    if (region.starts_with("us-gov-")) return {};
    if (region.starts_with("us-") || region.starts_with("ca-")) return "us";
    if (region.starts_with("eu-")) return "eu";
    if (region.starts_with("ap-")) return "apac";
    return {};
}

namespace {

bool lists_profile(std::string_view profiles, std::string_view geography) {
    while (!profiles.empty()) {
        const std::size_t space = profiles.find(' ');
        if (profiles.substr(0, space) == geography) return true;
        if (space == std::string_view::npos) break;
        profiles.remove_prefix(space + 1);
    }
    return false;
}

// Every "<geo>.<id>" a catalog entry can be reached by.
const std::vector<std::string> &profile_ids() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> out;
        for (const CatalogEntry &e : catalog())
            for (std::string_view geo : {"us", "eu", "apac", "global"})
                if (lists_profile(e.profiles, geo)) out.push_back(std::string(geo) + "." + std::string(e.id));
        return out;
    }();
    return ids;
}

} // namespace

std::string regional_upstream_id(std::string_view model, std::string_view region) {
    for (const CatalogEntry &e : catalog()) {
        if (e.short_name != model) continue;
        if (e.profiles.empty()) return std::string(e.id);
        const std::string_view geo = profile_geography(region);
        if (!geo.empty() && lists_profile(e.profiles, geo)) return std::string(geo) + "." + std::string(e.id);
        if (lists_profile(e.profiles, "global")) return "global." + std::string(e.id);
        return std::string(e.id); // no profile here: the base id, as AWS names the model
    }
    return std::string(model);
}

bool model_lacks_system_prompt(std::string_view upstream_id) noexcept {
    // Also matches cross-region inference profiles ("us.amazon.titan-text-...").
    return upstream_id.find("amazon.titan-text") != std::string_view::npos;
}

std::optional<std::string> expand_home(std::string_view path, std::string_view home) {
    if (path == "~" || path.rfind("~/", 0) == 0) {
        if (home.empty()) return std::nullopt;
        std::string out(home);
        while (out.size() > 1 && out.back() == '/') out.pop_back();
        return out + std::string(path.substr(1));
    }
    return std::string(path);
}

std::optional<std::string> Settings::credentials_path() const {
    return expand_home(credentials_file.empty() ? "~/.aws/credentials" : credentials_file, home);
}

std::optional<std::string> Settings::config_path() const {
    return expand_home(config_file.empty() ? "~/.aws/config" : config_file, home);
}

const std::string &Settings::profile_name() const {
    static const std::string kDefault = "default";
    return profile.empty() ? kDefault : profile;
}

Settings parse_settings(std::string_view json) {
    const SettingsReader reader(json);
    reader.reject_unknown({"region", "endpoint", "models", "access_key_id", "secret_access_key", "session_token",
                           "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "profile", "aws_profile",
                           "home", "credentials_file", "config_file", "web_identity_token_file", "role_arn",
                           "role_session_name", "sts_endpoint", "container_credentials_full_uri",
                           "container_credentials_relative_uri", "container_authorization_token",
                           "container_authorization_token_file", "ecs_endpoint", "imds_endpoint", "imds_disabled",
                           "api_key", "use_fips", "endpoint_url", "external_id", "duration_seconds",
                           "sso_endpoint", "extra_fields"});
    Settings s;
    if (auto region = reader.non_empty_string("region")) {
        for (const char c : *region)
            require_config((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-',
                           "settings.region must look like us-east-1 (AWS_BEDROCK_REGION)");
        s.region = std::move(*region);
    }
    s.use_fips = bool_setting(reader, "use_fips");
    // endpoint (YAML) wins over endpoint_url (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL), as a
    // client's explicit endpoint wins over the environment's in the AWS SDKs.
    auto endpoint = url_setting(reader, "endpoint");
    if (!endpoint) endpoint = url_setting(reader, "endpoint_url");
    s.endpoint = endpoint.value_or("https://bedrock-runtime" + std::string(s.use_fips ? "-fips." : ".") + s.region +
                                   ".amazonaws.com");
    require_config(helix::aws::split_url(s.endpoint).has_value(), "settings.endpoint is not a usable URL");

    s.fields = helix::plugin_common::read_forwarded_fields(reader, false);
    // A Bedrock API key replaces SigV4 (AWS_BEARER_TOKEN_BEDROCK wins over every credential, as in the SDKs).
    s.api_key = text_setting(reader, "api_key");

    // Models: the catalog's short names and full ids, or the configured list
    // (a short name in it is sent upstream as its full id).
    std::vector<helix::plugin_common::KnownModel> known;
    for (const CatalogEntry &e : catalog()) {
        known.push_back({e.short_name, e.capabilities, e.context_window, e.max_embedding_inputs, e.listed_by_default});
        known.push_back({e.id, e.capabilities, e.context_window, e.max_embedding_inputs, e.listed_by_default});
    }
    for (const std::string &profile_id : profile_ids()) {
        const CatalogEntry *base = nullptr;
        for (const CatalogEntry &e : catalog())
            if (profile_id.ends_with(e.id) && profile_id[profile_id.size() - e.id.size() - 1] == '.') base = &e;
        if (base != nullptr) known.push_back({profile_id, base->capabilities, base->context_window, 0, false});
    }
    const boost::json::value *models = reader.object().if_contains("models");
    if (models == nullptr || models->is_null()) {
        // Short names first, then the ids they go upstream as.
        for (const CatalogEntry &e : catalog())
            if (e.listed_by_default)
                s.models.push_back({std::string(e.short_name), regional_upstream_id(e.short_name, s.region),
                                    e.capabilities, e.context_window});
        for (const CatalogEntry &e : catalog()) {
            if (!e.listed_by_default) continue;
            const std::string upstream = regional_upstream_id(e.short_name, s.region);
            s.models.push_back({upstream, upstream, e.capabilities, e.context_window});
        }
    } else {
        s.models = helix::plugin_common::read_models(reader, "models", known, HELIX_MODEL_STREAMING);
        for (helix::sdk::Model &m : s.models) m.upstream_id = regional_upstream_id(m.upstream_id, s.region);
    }
    // Claude (anthropic.claude-*, also behind us. / eu. / apac. / global. inference
    // profiles) takes Anthropic's Messages body through InvokeModel.
    for (helix::sdk::Model &m : s.models)
        if (m.upstream_id.find("anthropic.claude") != std::string::npos) m.capabilities |= HELIX_MODEL_MESSAGES;

    read_pair(reader, "access_key_id", "secret_access_key", "session_token", true, s.access_key_id,
              s.secret_access_key, s.session_token, s.warnings);
    read_pair(reader, "aws_access_key_id", "aws_secret_access_key", "aws_session_token", false, s.aws_access_key_id,
              s.aws_secret_access_key, s.aws_session_token, s.warnings);

    s.profile = text_setting(reader, "profile");
    if (s.profile.empty()) s.profile = text_setting(reader, "aws_profile");
    s.home = path_setting(reader, "home");
    s.credentials_file = path_setting(reader, "credentials_file");
    s.config_file = path_setting(reader, "config_file");
    for (const auto *key : {"credentials_file", "config_file"}) {
        const std::string &path = std::string_view(key) == "credentials_file" ? s.credentials_file : s.config_file;
        require_config(path.empty() || path.rfind("~/", 0) != 0 || !s.home.empty(),
                       "settings." + std::string(key) + " starts with ~/ but settings.home (HOME) is not set");
    }

    s.web_identity_token_file = path_setting(reader, "web_identity_token_file");
    s.role_arn = text_setting(reader, "role_arn");
    s.role_session_name = text_setting(reader, "role_session_name");
    // role_arn alone is assumed with the chain's credentials (AssumeRole); with a
    // token file it is web identity. A token file alone is skipped, as the SDKs do.
    if (!s.web_identity_token_file.empty() && s.role_arn.empty())
        s.warnings.push_back("settings.web_identity_token_file is set without settings.role_arn; web identity "
                             "credentials are skipped");
    if (s.role_arn.empty() || !s.web_identity_token_file.empty())
        for (const auto *key : {"external_id", "duration_seconds"})
            if (reader.object().contains(key))
                s.warnings.push_back("settings." + std::string(key) +
                                     " is set without a role to assume (settings.role_arn without "
                                     "web_identity_token_file); it is ignored");
    s.external_id = text_setting(reader, "external_id");
    s.duration_seconds = seconds_setting(reader, "duration_seconds", 900, 43200);
    s.sts_endpoint = url_setting(reader, "sts_endpoint")
                         .value_or("https://sts" + std::string(s.use_fips ? "-fips." : ".") + s.region + ".amazonaws.com");
    s.sso_endpoint = url_setting(reader, "sso_endpoint").value_or("");

    s.container_credentials_full_uri = text_setting(reader, "container_credentials_full_uri");
    s.container_credentials_relative_uri = text_setting(reader, "container_credentials_relative_uri");
    s.container_authorization_token = text_setting(reader, "container_authorization_token");
    s.container_authorization_token_file = path_setting(reader, "container_authorization_token_file");
    if (auto v = url_setting(reader, "ecs_endpoint")) s.ecs_endpoint = std::move(*v);
    if (!s.container_credentials_relative_uri.empty())
        require_config(s.container_credentials_relative_uri.front() == '/',
                       "settings.container_credentials_relative_uri must start with '/' "
                       "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)");
    if (!s.container_credentials_full_uri.empty()) {
        const std::string_view uri = s.container_credentials_full_uri;
        const std::string scheme = lower(uri.substr(0, uri.find("://") == std::string_view::npos ? 0 : uri.find("://")));
        require_config((scheme == "http" || scheme == "https") && helix::aws::split_url(uri).has_value(),
                       "settings.container_credentials_full_uri must be an http(s) URL "
                       "(AWS_CONTAINER_CREDENTIALS_FULL_URI)");
        require_config(scheme == "https" || allowed_http_container_host(uri),
                       "settings.container_credentials_full_uri may use plain http only for a loopback host, "
                       "169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; use https");
    }

    if (auto v = url_setting(reader, "imds_endpoint")) s.imds_endpoint = std::move(*v);
    s.imds_disabled = bool_setting(reader, "imds_disabled");
    return s;
}

} // namespace helix::aws_bedrock
