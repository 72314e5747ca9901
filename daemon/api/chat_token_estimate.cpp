#include "daemon/api/chat_token_estimate.hpp"

#include <algorithm>

namespace helix::api {

namespace {

constexpr std::int64_t kPerMessage = 3;
constexpr std::int64_t kPerImage = 1600;

std::int64_t text_tokens(std::size_t characters) { return static_cast<std::int64_t>((characters + 3) / 4); }

} // namespace

TokenEstimate estimate_chat_tokens(const helix_chat_request &request) {
    TokenEstimate e;
    std::size_t characters = 0;
    for (std::size_t i = 0; i < request.message_count; ++i) {
        const helix_message &m = *request.messages[i];
        e.input += kPerMessage;
        characters += m.text.len + m.name.len;
        for (std::size_t p = 0; p < m.part_count; ++p) {
            const helix_content_part &part = *m.parts[p];
            if (part.type == HELIX_PART_TEXT)
                characters += part.text.len;
            else
                e.input += kPerImage;
        }
        for (std::size_t t = 0; t < m.tool_call_count; ++t)
            characters += m.tool_calls[t]->name.len + m.tool_calls[t]->arguments.len;
    }
    for (std::size_t t = 0; t < request.tool_count; ++t)
        characters += request.tools[t]->name.len + request.tools[t]->description.len +
                      request.tools[t]->parameters_json.len;
    e.input += text_tokens(characters);
    if ((request.present & HELIX_HAS_MAX_TOKENS) != 0 && request.max_tokens > 0)
        e.output = request.max_tokens * std::max<std::int64_t>(1, request.n);
    return e;
}

} // namespace helix::api
