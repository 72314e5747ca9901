#pragma once
// decode()/finish() of the anthropic provider: Messages API responses ->
// canonical events (always choice 0).
//
// Non-streamed: START(id, model); per content block in order: text ->
// TEXT_DELTA, tool_use -> TOOL_CALL_DELTA (tool_index counts tool_use blocks
// from 0; id, name, arguments = the input serialised); thinking and other
// blocks are skipped; FINISH(stop_reason); USAGE.
//
// Streamed (event: <type> / data: <json>):
//   message_start        START(id, model); input usage remembered
//   content_block_start  text: TEXT_DELTA if it already has text; tool_use:
//                        TOOL_CALL_DELTA(tool_index, id, name, "")
//   content_block_delta  text_delta -> TEXT_DELTA; input_json_delta ->
//                        TOOL_CALL_DELTA with the partial_json as arguments;
//                        thinking_delta / signature_delta -> REASONING_DELTA
//                        (a thinking block's start: its text so far; a
//                        redacted_thinking start: its data); citations skipped
//   content_block_stop   a tool_use block that got no argument text gets "{}"
//                        (what the non-streamed input serialises to)
//   message_delta        stop_reason -> FINISH; usage (cumulative) -> USAGE
//   message_stop         the end; FINISH (stop) if no message_delta said why
//   ping                 ignored; unknown event types are ignored (as the SDK does)
//   error                Error by error.type (overloaded_error/api_error/
//                        rate_limit_error/timeout_error -> RETRY)
//   A stream that ends without message_stop is an error (PROTOCOL).
//
// stop_reason: end_turn, stop_sequence, pause_turn -> stop; max_tokens,
// model_context_window_exceeded -> length; tool_use -> tool_calls;
// refusal -> content_filter; anything else -> stop.
// Usage: Anthropic counts cached input apart from input_tokens, OpenAI counts
// it inside prompt_tokens, so prompt = input_tokens + cache_read_input_tokens
// + cache_creation_input_tokens, cached = cache_read_input_tokens.
//
// Non-2xx: Anthropic's {"type":"error","error":{"type","message"}} ->
// plugin_common::http_error (429/529/5xx/408/409 RETRY with Retry-After,
// 401/403 AUTH, other 4xx passed through); 402 billing_error and a 429 with
// error.details.error_code = enforced_spend_limit_reached are the gateway's
// account problems: UPSTREAM, 502, not retried.

#include "plugins/anthropic/anthropic_settings.hpp"
#include "plugins/common/response_decoder.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace helix::anthropic {

helix_finish_reason map_stop_reason(std::string_view reason) noexcept;

// The HTTP status Anthropic uses for an error.type (0 if unknown).
int status_of_error_type(std::string_view type) noexcept;

// An Anthropic error object (an SSE error event, an error inside a 200) as
// the Error it means, by error.type; never returns.
[[noreturn]] void throw_anthropic_error(const boost::json::value *error, std::string_view secret);
// A non-2xx answer's Error (402 and an exhausted spend limit: UPSTREAM 502).
helix::sdk::Error anthropic_error(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                  std::string_view secret);

class AnthropicCall final : public helix::plugin_common::ResponseDecoder {
public:
    // json_tool: the request forced plugin_common::kJsonToolName, whose call is the answer's text.
    // secret: redacted from every error message (the API key, or Vertex's token).
    AnthropicCall(helix::plugin_common::DecoderOptions options, std::string secret, bool json_tool = false);

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    [[noreturn]] void throw_error_object(const boost::json::value *error) const;
    void read_usage(const boost::json::object &usage);
    void emit_usage(helix::sdk::EventSink &events) const;

    void thinking_block(const boost::json::object &block, std::uint32_t index, helix::sdk::EventSink &events);

    enum class BlockKind { other, text, tool, thinking, json };
    helix_finish_reason finish_reason(std::string_view stop_reason) const noexcept;
    struct Block {
        BlockKind kind = BlockKind::other;
        std::uint32_t tool_index = 0;
        std::uint32_t reasoning_index = 0;
        bool has_arguments = false;
    };
    Block &block(const boost::json::object &event, bool create);

    std::string secret_;
    std::vector<Block> blocks_;
    std::uint32_t tool_count_ = 0;
    std::uint32_t reasoning_count_ = 0;
    bool json_tool_ = false;
    bool json_answered_ = false; // the answer tool was called
    std::int64_t input_tokens_ = 0;
    std::int64_t output_tokens_ = 0;
    std::int64_t cache_read_ = 0;
    std::int64_t cache_creation_ = 0;
    std::optional<std::string> stop_reason_;
    bool started_ = false;
    bool finished_ = false;
    bool stopped_ = false;
};

} // namespace helix::anthropic
