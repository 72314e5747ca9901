#pragma once
// A HELIX_OP_MESSAGES request for the plugin tests (anthropic, aws_bedrock,
// gcp_vertex): Anthropic's Messages body as the host hands it on, with the
// client's anthropic-version and anthropic-beta values.

#include <helixagent/plugin_abi.h>

#include <string>
#include <string_view>
#include <vector>

namespace helix::test {

struct MessagesCase {
    std::string model;
    std::string body;
    std::vector<std::string> beta_values;
    std::vector<helix_str> betas;
    helix_messages_request request{};
    helix_request outer{};

    MessagesCase(std::string model_id, std::string body_json, std::uint32_t action, bool stream,
                 std::vector<std::string> betas_sent = {}, std::string_view version = {})
        : model(std::move(model_id)), body(std::move(body_json)), beta_values(std::move(betas_sent)) {
        for (const auto &b : beta_values) betas.push_back({b.data(), b.size()});
        request.struct_size = sizeof request;
        request.action = action;
        request.model = {model.data(), model.size()};
        request.body = {body.data(), body.size()};
        request.stream = stream ? 1 : 0;
        request.anthropic_version = {version.data(), version.size()};
        request.anthropic_beta = betas.data();
        request.anthropic_beta_count = betas.size();
        outer.struct_size = sizeof outer;
        outer.operation = HELIX_OP_MESSAGES;
        outer.messages = &request;
    }
    MessagesCase(const MessagesCase &) = delete; // request points into this object
    MessagesCase &operator=(const MessagesCase &) = delete;
};

} // namespace helix::test
