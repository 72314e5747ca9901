#include "plugins/aws_bedrock/bedrock_provider.hpp"

#include "plugins/aws_bedrock/bedrock_call.hpp"
#include "plugins/aws_bedrock/bedrock_request.hpp"

namespace helix::aws_bedrock {

BedrockProvider::BedrockProvider(helix::sdk::Host host)
    : Provider(host), settings_(parse_settings(host.config_json())) {
    for (const std::string &warning : settings_.warnings) host.log(HELIX_LOG_WARNING, "aws_bedrock: " + warning);
    credentials_ = std::make_unique<CredentialChain>(settings_, this->host());
}

std::unique_ptr<helix::sdk::Call> BedrockProvider::prepare(const helix_chat_request &request,
                                                           helix::sdk::HttpRequest &out) {
    // Translate first: a request Bedrock cannot take fails without a side request.
    build_request(settings_, request, out);
    const TimedCredentials credentials = credentials_->get();
    sign_request(settings_, credentials.credentials, host().now_unix_ms(), out);
    const std::string model(upstream_model_id(helix::sdk::view(request.model)));

    CallOptions options;
    options.model = model;
    options.stream = request.stream != 0;
    options.credentials = credentials.credentials;
    options.on_credentials_rejected = [chain = credentials_.get()](const helix::aws::Credentials &c) {
        chain->rejected(c);
    };
    options.decoder.expect_stream = false; // event streams are handled by BedrockCall itself
    options.decoder.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return std::make_unique<BedrockCall>(std::move(options));
}

} // namespace helix::aws_bedrock
