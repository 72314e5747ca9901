#pragma once
// The aws_bedrock provider: Amazon Bedrock Runtime's Converse and
// ConverseStream APIs, signed with SigV4. Settings and the credential chain:
// bedrock_settings.hpp, credential_chain.hpp. Request: bedrock_request.hpp.
// Response: bedrock_call.hpp.

#include "plugins/aws_bedrock/bedrock_call.hpp"
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
    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;
    // The settings table: keys, types, defaults, secrets and the environment.
    static std::vector<helix::sdk::Setting> settings();

    std::vector<helix::sdk::Model> models() const override { return settings_.models; }
    // InvokeModel on Titan Text Embeddings and Cohere Embed (bedrock_embeddings.hpp).
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &request,
                                                         helix::sdk::HttpRequest &out) override;
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    // Claude's Messages API through InvokeModel / InvokeModelWithResponseStream (bedrock_messages.hpp).
    std::unique_ptr<helix::sdk::Call> prepare_messages(const helix_messages_request &request,
                                                       helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    // Signs `out` and makes the call that decodes its answer.
    std::unique_ptr<helix::sdk::Call> signed_call(std::string model, bool stream, helix::sdk::HttpRequest &out,
                                                  CallOptions options);

    Settings settings_;
    std::unique_ptr<CredentialChain> credentials_; // null with an API key
};

} // namespace helix::aws_bedrock
