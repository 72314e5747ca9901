#pragma once
// What a Claude upstream sent (HELIX_EVENT_MESSAGES) made ready for the
// client: the model name is put back to the one the client asked for (in a
// whole message and in message_start), everything else goes out as the
// upstream sent it; the usage is read on the way for metrics and cost.
// anthropic_sse() frames one payload as Anthropic does: the event line
// names the payload's "type".

#include <helixagent/plugin_abi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::api {

struct MessagesUsage {
    std::int64_t input_tokens = 0; // input + cache reads + cache writes
    std::int64_t output_tokens = 0;
    std::int64_t cache_read_tokens = 0;
    std::int64_t cache_write_tokens = 0;
};

class MessagesPassthrough {
public:
    explicit MessagesPassthrough(std::string client_model) : model_(std::move(client_model)) {}
    // The payload to send for a HELIX_EVENT_MESSAGES event (other events: nullopt).
    std::optional<std::string> add(const helix_event &event);
    const MessagesUsage &usage() const noexcept { return usage_; }

private:
    std::string model_;
    MessagesUsage usage_;
};

// "event: <type>\ndata: <payload>\n\n"; type "message" when the payload has none.
std::string anthropic_sse(std::string_view payload);

} // namespace helix::api
