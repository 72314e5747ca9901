#pragma once
// The aws_bedrock provider: Amazon Bedrock Runtime's Converse and
// ConverseStream APIs, signed with SigV4. Settings and the credential chain:
// bedrock_settings.hpp, credential_chain.hpp. Request: bedrock_request.hpp.
// Response: bedrock_call.hpp.

#include "plugins/aws_bedrock/bedrock_settings.hpp"
#include "plugins/aws_bedrock/credential_chain.hpp"

#include <helixagent/plugin.hpp>

#include <memory>

namespace helix::aws_bedrock {

class BedrockProvider final : public helix::sdk::Provider {
public:
    explicit BedrockProvider(helix::sdk::Host host);

    // For `helixagentd --check-config` (no file is read).
    static void validate_config(std::string_view json) { parse_settings(json); }

    std::vector<helix::sdk::Model> models() const override { return settings_.models; }
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override { return credentials_->health(detail); }

private:
    Settings settings_;
    std::unique_ptr<CredentialChain> credentials_;
};

} // namespace helix::aws_bedrock
