#include "plugins/openai/openai_settings.hpp"

namespace helix::openai {

namespace {
constexpr std::uint32_t kAll = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_VISION | HELIX_MODEL_DOCUMENTS |
                               HELIX_MODEL_MULTIPLE_CHOICES;
constexpr std::uint32_t kReasoning = kAll | HELIX_MODEL_REASONING;
constexpr std::uint32_t kNoVision = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_MULTIPLE_CHOICES;
constexpr std::uint32_t kCompletions = HELIX_MODEL_COMPLETIONS | HELIX_MODEL_STREAMING;
} // namespace

const std::vector<helix::plugin_common::KnownModel> &known_models() {
    static const std::vector<helix::plugin_common::KnownModel> models{
        {"gpt-4o", kAll, 128000},
        {"gpt-4o-mini", kAll, 128000},
        {"gpt-4.1", kAll, 1047576},
        {"gpt-4.1-mini", kAll, 1047576},
        {"gpt-4.1-nano", kAll, 1047576},
        {"gpt-4-turbo", kAll, 128000},
        {"gpt-4", kNoVision, 8192},
        {"gpt-3.5-turbo", kNoVision, 16385},
        // Reasoning models (reasoning_effort): the o-series and gpt-5.
        {"o1", kReasoning, 200000},
        {"o3", kReasoning, 200000},
        {"o3-mini", kReasoning & ~HELIX_MODEL_VISION, 200000},
        {"o4-mini", kReasoning, 200000},
        {"gpt-5", kReasoning, 400000},
        {"gpt-5-mini", kReasoning, 400000},
        {"gpt-5-nano", kReasoning, 400000},
        {"gpt-5.1", kReasoning, 400000},
        // Embeddings (served where `models` lists them): up to 2048 inputs per request.
        {"text-embedding-3-small", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        {"text-embedding-3-large", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        {"text-embedding-ada-002", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        // Legacy completions only (POST /v1/completions; served where `models` lists them).
        {"gpt-3.5-turbo-instruct", kCompletions, 4096, 0, false},
        {"davinci-002", kCompletions, 16384, 0, false},
        {"babbage-002", kCompletions, 16384, 0, false},
    };
    return models;
}

bool Settings::needs_api_key() const noexcept { return !helix::plugin_common::is_loopback_url(base_url); }

Settings parse_settings(std::string_view json) {
    const helix::plugin_common::SettingsReader reader(json);
    reader.reject_unknown({"base_url", "api_key", "organization", "project", "models", "extra_fields"});
    Settings s;
    if (auto url = reader.base_url("base_url")) s.base_url = std::move(*url);
    // An empty key (an unset environment variable) counts as absent.
    if (auto key = reader.header_value("api_key")) s.api_key = std::move(*key);
    if (auto org = reader.header_value("organization")) s.organization = std::move(*org);
    if (auto project = reader.header_value("project")) s.project = std::move(*project);
    s.models = helix::plugin_common::read_models(reader, "models", known_models(), kAll);
    s.fields = helix::plugin_common::read_forwarded_fields(reader, false);
    if (!s.api_key.empty()) helix::plugin_common::require_https_for_credentials(s.base_url, "base_url");
    return s;
}

} // namespace helix::openai
