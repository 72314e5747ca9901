#pragma once
// The anthropic provider: Anthropic's Messages API, directly.
// Settings: anthropic_settings.hpp. Request: anthropic_request.hpp.
// Response: anthropic_call.hpp.

#include "plugins/anthropic/anthropic_settings.hpp"

#include <helixagent/plugin.hpp>

#include <memory>

namespace helix::anthropic {

class AnthropicProvider final : public helix::sdk::Provider {
public:
    explicit AnthropicProvider(helix::sdk::Host host);

    // For `helixagentd --check-config`.
    static void validate_config(std::string_view json) { parse_settings(json); }
    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
    // The settings table: keys, types, defaults, secrets and the environment.
    static std::vector<helix::sdk::Setting> settings();

    std::vector<helix::sdk::Model> models() const override { return settings_->models; }
    // Embeddings are later work for this provider.
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &,
                                                         helix::sdk::HttpRequest &) override {
        throw not_supported_embeddings();
    }
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    // Anthropic's Messages API passed through (anthropic_messages.hpp).
    std::unique_ptr<helix::sdk::Call> prepare_messages(const helix_messages_request &request,
                                                       helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    std::shared_ptr<const Settings> settings_;
};

} // namespace helix::anthropic
