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

    std::vector<helix::sdk::Model> models() const override { return settings_->models; }
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    std::shared_ptr<const Settings> settings_;
};

} // namespace helix::anthropic
