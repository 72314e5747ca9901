#pragma once
// The openai provider: OpenAI's Chat Completions and Embeddings APIs, directly.
// Settings: see openai_settings.hpp. Request: openai_request.hpp.
// Response: openai_call.hpp. Embeddings: openai_embeddings.hpp.

#include "plugins/openai/openai_settings.hpp"

#include <helixagent/plugin.hpp>

#include <memory>

namespace helix::openai {

class OpenAiProvider final : public helix::sdk::Provider {
public:
    explicit OpenAiProvider(helix::sdk::Host host);

    // For `helixagentd --check-config`.
    static void validate_config(std::string_view json) { parse_settings(json); }
    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
    // The settings table: keys, types, defaults, secrets and the environment.
    static std::vector<helix::sdk::Setting> settings();

    std::vector<helix::sdk::Model> models() const override { return settings_->models; }
    // POST {base_url}/embeddings (openai_embeddings.hpp).
    // POST /v1/completions for the legacy completions models.
    std::unique_ptr<helix::sdk::Call> prepare_completions(const helix_chat_request &request,
                                                          helix::sdk::HttpRequest &out) override;
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &request,
                                                         helix::sdk::HttpRequest &out) override;
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    // FAILING without an api_key where one is needed; no I/O.
    helix_health health(std::string &detail) const override;

private:
    std::shared_ptr<const Settings> settings_;
};

} // namespace helix::openai
