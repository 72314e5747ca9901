#pragma once
// POST /v1/messages and /v1/messages/count_tokens bodies in Anthropic's
// Messages API shape, validated the way Anthropic does before anything goes
// upstream: a JSON object with model, messages (user / assistant turns whose
// content is a string or a list of blocks) and, to create a message,
// max_tokens; system as a string or text blocks; tools, tool_choice,
// thinking, stop_sequences, temperature, top_p, top_k, stream, metadata.
// Known block types are checked for what they need (text: text; image and
// document: source; tool_use: id, name, input; tool_result: tool_use_id;
// thinking: thinking and signature; redacted_thinking: data); a block type
// this parser does not know is left for the upstream to judge, and members
// it does not know are kept (the body goes to a Claude upstream unchanged).
// A failure is a 400 whose param names the field (messages[1].content[0].type;
// the Anthropic error body writes it as messages.1.content.0.type).

#include "daemon/api/error_body.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::api {

class MessagesRequest {
public:
    bool count_tokens() const noexcept { return count_tokens_; }
    std::string_view model() const noexcept { return model_; }
    bool stream() const noexcept { return stream_; }
    // The client's body text, sent on to a Claude upstream.
    const std::string &body() const noexcept { return body_; }
    // The parsed body (for the translation onto chat completions).
    const boost::json::object &json() const { return doc_.get_object(); }
    // HELIX_MODEL_* bits a translated candidate needs (TOOLS, VISION, STREAMING).
    std::uint32_t required_capabilities() const noexcept { return required_; }

private:
    friend std::variant<MessagesRequest, ApiError> parse_messages_request(std::string body, bool count_tokens);
    std::string body_;
    boost::json::value doc_;
    std::string model_;
    bool count_tokens_ = false;
    bool stream_ = false;
    std::uint32_t required_ = 0;
};

// Never throws; never crashes whatever the bytes.
std::variant<MessagesRequest, ApiError> parse_messages_request(std::string body, bool count_tokens);

} // namespace helix::api
