#include "plugins/anthropic/anthropic_settings.hpp"

namespace helix::anthropic {

namespace {
constexpr std::uint32_t kVision = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_VISION | HELIX_MODEL_DOCUMENTS;
constexpr std::uint32_t kText = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS;
// Extended thinking (a reasoning budget): Claude 3.7 and 4.x.
constexpr std::uint32_t kThinking = kVision | HELIX_MODEL_REASONING;
} // namespace

const std::vector<helix::plugin_common::KnownModel> &known_models() {
    // Anthropic returns one choice per request: no HELIX_MODEL_MULTIPLE_CHOICES.
    static const std::vector<helix::plugin_common::KnownModel> models{
        {"claude-3-5-sonnet-20241022", kVision, 200000},
        {"claude-3-5-haiku-20241022", kText, 200000},
        {"claude-3-7-sonnet-20250219", kThinking, 200000},
        {"claude-sonnet-4-20250514", kThinking, 200000},
        {"claude-opus-4-20250514", kThinking, 200000},
        {"claude-3-opus-20240229", kVision, 200000},
        {"claude-3-sonnet-20240229", kVision, 200000},
        {"claude-3-haiku-20240307", kVision, 200000},
        // Claude 4.1 and 4.5.
        {"claude-opus-4-1-20250805", kThinking, 200000},
        {"claude-sonnet-4-5-20250929", kThinking, 200000},
        {"claude-haiku-4-5-20251001", kThinking, 200000},
        {"claude-opus-4-5-20251101", kThinking, 200000},
    };
    return models;
}

bool Settings::needs_api_key() const noexcept { return !helix::plugin_common::is_loopback_url(base_url); }

std::string Settings::messages_url() const {
    const std::string_view base = base_url;
    if (base.size() >= 3 && base.substr(base.size() - 3) == "/v1") return base_url + "/messages";
    return base_url + "/v1/messages";
}

Settings parse_settings(std::string_view json) {
    const helix::plugin_common::SettingsReader reader(json);
    reader.reject_unknown({"base_url", "api_key", "anthropic_version", "anthropic_beta", "max_tokens_default", "models", "extra_fields"});
    Settings s;
    if (auto url = reader.base_url("base_url")) s.base_url = std::move(*url);
    if (auto key = reader.header_value("api_key")) s.api_key = std::move(*key); // empty = unset
    if (auto version = reader.header_value("anthropic_version")) {
        if (version->empty()) throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings.anthropic_version must not be empty");
        s.anthropic_version = std::move(*version);
    }
    if (auto beta = reader.header_value("anthropic_beta")) s.anthropic_beta = std::move(*beta);
    if (auto max = reader.integer("max_tokens_default", 1, 1'000'000)) s.max_tokens_default = *max;
    s.fields = helix::plugin_common::read_forwarded_fields(reader, false);
    s.models = helix::plugin_common::read_models(reader, "models", known_models(), kVision);
    // Every model of Anthropic's API speaks the Messages API itself.
    for (auto &m : s.models) m.capabilities |= HELIX_MODEL_MESSAGES | HELIX_MODEL_COUNT_TOKENS;
    for (const auto &m : s.models)
        if ((m.capabilities & HELIX_MODEL_EMBEDDINGS) != 0)
            throw helix::sdk::Error(HELIX_ERR_CONFIG, "settings.models: " + m.id +
                                                          " lists the embeddings capability, but Anthropic has no "
                                                          "embeddings API");
    if (!s.api_key.empty()) helix::plugin_common::require_https_for_credentials(s.base_url, "base_url");
    return s;
}

} // namespace helix::anthropic
