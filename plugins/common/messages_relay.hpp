#pragma once
// Anthropic Messages objects relayed to the host unchanged (HELIX_OP_MESSAGES,
// HELIX_EVENT_MESSAGES), whatever carried them: SSE from Anthropic's API and
// Vertex streamRawPredict, event-stream chunks from Bedrock. Each streamed
// event is checked to be a JSON object with a type, an `error` event becomes
// the provider's Error (through on_error, which throws), and a stream must
// end with message_stop.

#include <helixagent/plugin.hpp>

#include <boost/json/value.hpp>

#include <functional>
#include <string_view>

namespace helix::plugin_common {

class MessagesRelay {
public:
    // Throws the provider's Error for an Anthropic error object (may be null).
    using ErrorHandler = std::function<void(const boost::json::value *error)>;

    explicit MessagesRelay(ErrorHandler on_error) : on_error_(std::move(on_error)) {}

    // One streamed event: its data (a JSON object whose "type" names it).
    void event(std::string_view data, helix::sdk::EventSink &events);
    // A whole reply: the message, or count_tokens' {"input_tokens": N}.
    void body(const boost::json::value &body, bool count_tokens, helix::sdk::EventSink &events);
    // The stream ended: throws HELIX_ERR_PROTOCOL unless message_stop came.
    void end_stream() const;

private:
    ErrorHandler on_error_;
    bool stopped_ = false;
};

} // namespace helix::plugin_common
