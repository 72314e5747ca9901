// The openai plugin's settings table: every key of its `settings:` map, and
// the environment variables that fill it for the provider named "openai".
#include "plugins/openai/openai_provider.hpp"

namespace helix::openai {

std::vector<helix::sdk::Setting> OpenAiProvider::settings() {
    return {
        {.name = "base_url", .type = HELIX_SETTING_STRING, .description = "The API base URL, with its /v1 prefix.", .default_value = "https://api.openai.com/v1"},
        {.name = "api_key", .type = HELIX_SETTING_STRING, .description = "The API key (sent as Authorization: Bearer).", .flags = HELIX_SETTING_SECRET, .env = {"OPENAI_API_KEY"}, .env_provider = "openai"},
        {.name = "organization", .type = HELIX_SETTING_STRING, .description = "The OpenAI-Organization header."},
        {.name = "project", .type = HELIX_SETTING_STRING, .description = "The OpenAI-Project header."},
        {.name = "extra_fields", .type = HELIX_SETTING_LIST, .description = "Request fields outside the canonical form to forward from the client's body."},
        {.name = "models", .type = HELIX_SETTING_LIST, .description = "Models to advertise: ids, or maps {id, upstream_id, context_window, capabilities}."},
    };
}

} // namespace helix::openai
