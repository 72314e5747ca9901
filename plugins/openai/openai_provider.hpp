#pragma once
// The openai provider: OpenAI's Chat Completions API, directly.
// Settings: see openai_settings.hpp. Request: openai_request.hpp.
// Response: openai_call.hpp.

#include "plugins/openai/openai_settings.hpp"

#include <helixagent/plugin.hpp>

#include <memory>

namespace helix::openai {

class OpenAiProvider final : public helix::sdk::Provider {
public:
    explicit OpenAiProvider(helix::sdk::Host host);

    // For `helixagentd --check-config`.
    static void validate_config(std::string_view json) { parse_settings(json); }

    std::vector<helix::sdk::Model> models() const override { return settings_->models; }
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    // FAILING without an api_key where one is needed; no I/O.
    helix_health health(std::string &detail) const override;

private:
    std::shared_ptr<const Settings> settings_;
};

} // namespace helix::openai
