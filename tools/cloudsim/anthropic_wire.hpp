#pragma once
// Anthropic Messages API wire format (docs/providers.md, anthropic), without I/O:
// request parsing and validation into a SimPrompt, the message body, the
// named-event SSE stream, error bodies and the models list. Claude on Vertex
// reuses these later.

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::anthropic {

struct MessagesRequest {
    SimPrompt prompt;
    bool stream = false;
};

// {"type":"error","error":{"type":...,"message":...},"request_id":...}
struct ApiError {
    int status = 400;
    std::string type = "invalid_request_error";
    std::string message;
};

// count_tokens: the body of POST /v1/messages/count_tokens (no max_tokens, no stream).
std::optional<MessagesRequest> parse_messages_request(std::string_view body, ApiError &error, bool count_tokens = false);
std::string error_body(const ApiError &error, std::string_view request_id);

struct ReplyMeta {
    std::string id; // "msg_..."
    std::string model;
};

std::string stop_reason(FinishReason finish);
std::string message_body(const Reply &reply, const ReplyMeta &meta);

// The SSE events of `reply`: message_start, thinking blocks (thinking_delta
// pieces, then signature_delta; a redacted_thinking block), content_block_start, ping, one
// content_block_delta per token (text_delta, or for a tool_use block an empty
// input_json_delta followed by one per argument fragment), content_block_stop,
// message_delta (stop_reason and cumulative usage), message_stop. `reply`
// must outlive the stream.
class EventStream final : public FrameSource {
public:
    EventStream(const Reply &reply, ReplyMeta meta);
    bool next(Frame &frame) override;
    std::size_t token_frames() const override;

private:
    enum class Step { message_start, thinking, block_start, ping, empty_json, tokens, block_stop, message_delta, message_stop, end };
    const Reply &reply_;
    ReplyMeta meta_;
    std::vector<std::string> fragments_;
    std::vector<std::string> thinking_frames_; // thinking / redacted_thinking blocks before the answer
    std::size_t thinking_index_ = 0;
    std::size_t main_index_ = 0;               // the answer's block index
    Step step_ = Step::message_start;
    std::size_t index_ = 0;
};

// A content_block_delta event whose JSON is cut short (malformed-json fault).
std::string malformed_event();

std::string models_body();
std::optional<std::string> model_body(std::string_view id);

} // namespace helix::cloudsim::anthropic
