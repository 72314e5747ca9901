// The anthropic plugin's settings table: every key of its `settings:` map, and
// the environment variables that fill it for the provider named "anthropic".
#include "plugins/anthropic/anthropic_provider.hpp"

namespace helix::anthropic {

std::vector<helix::sdk::Setting> AnthropicProvider::settings() {
    return {
        {.name = "base_url", .type = HELIX_SETTING_STRING, .description = "The API base URL (requests go to its /v1/messages).", .default_value = "https://api.anthropic.com"},
        {.name = "api_key", .type = HELIX_SETTING_STRING, .description = "The API key (sent as x-api-key).", .flags = HELIX_SETTING_SECRET, .env = {"ANTHROPIC_API_KEY"}, .env_provider = "anthropic"},
        {.name = "anthropic_version", .type = HELIX_SETTING_STRING, .description = "The anthropic-version header.", .default_value = "2023-06-01"},
        {.name = "anthropic_beta", .type = HELIX_SETTING_STRING, .description = "The anthropic-beta header, if any."},
        {.name = "max_tokens_default", .type = HELIX_SETTING_INTEGER, .description = "max_tokens when the client gives none (Anthropic requires it).", .default_value = "4096"},
        {.name = "extra_fields", .type = HELIX_SETTING_LIST, .description = "Messages API body fields to pass through to Anthropic besides the default list."},
        {.name = "models", .type = HELIX_SETTING_LIST, .description = "Models to advertise: ids, or maps {id, upstream_id, context_window, capabilities}."},
    };
}

} // namespace helix::anthropic
