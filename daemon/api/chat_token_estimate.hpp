#pragma once
// What a chat request may cost in tokens before it is sent, for the limits'
// reservation (settled with the real usage afterwards): about 4 characters
// a token of message text, tool calls and tool schemas, 3 per message, 1,600
// per image or document; and the most its answer may use (max_tokens times
// n; 0 when the client gave no max_tokens).

#include <helixagent/plugin_abi.h>

#include <cstdint>

namespace helix::api {

struct TokenEstimate {
    std::int64_t input = 0;
    std::int64_t output = 0;
};

TokenEstimate estimate_chat_tokens(const helix_chat_request &request);

} // namespace helix::api
