#pragma once
// decode()/finish() of the aws_bedrock provider: Converse and ConverseStream
// responses -> canonical events (always choice 0); InvokeModel (embeddings)
// bodies through CallOptions::invoke_body, with the same errors.
//
// START carries the x-amzn-RequestId header as the response id and the
// upstream model id as the served model.
//
// Converse (HTTP 200, JSON; plugin_common::ResponseDecoder parses it):
//   START; per output.message.content block: text -> TEXT_DELTA, toolUse ->
//   TOOL_CALL_DELTA (tool_index counts toolUse blocks from 0; id, name, input
//   serialised, null -> "{}"); reasoningContent and other blocks skipped;
//   FINISH(stopReason); USAGE.
//
// ConverseStream (HTTP 200, application/vnd.amazon.eventstream; also a 200
// without a content type when the request streamed): binary frames decoded
// incrementally by aws_common's EventStreamDecoder (CRCs checked, frames over
// 16 MiB refused before allocation). Per `:message-type`:
//   event      by `:event-type` (payload = the member's JSON, extra keys such as
//              Bedrock's "p" padding ignored):
//                messageStart       START (once)
//                contentBlockStart  start.toolUse {toolUseId, name} ->
//                                   TOOL_CALL_DELTA(tool_index, id, name, "")
//                contentBlockDelta  delta.text -> TEXT_DELTA; delta.toolUse.input
//                                   (a JSON fragment) -> TOOL_CALL_DELTA arguments;
//                                   reasoningContent {text | signature |
//                                   redactedContent} -> REASONING_DELTA;
//                                   citation, ... skipped
//                contentBlockStop   a toolUse block that got no input gets "{}"
//                messageStop        FINISH(stopReason)
//                metadata           USAGE (the last event)
//                anything else      skipped (as the JS SDK does)
//   exception  `:exception-type` (+ payload {"message"}) -> Error, see below
//   error      `:error-code` / `:error-message` headers -> Error
// A stream that ends without messageStop and metadata, or in the middle of a
// frame, is HELIX_ERR_PROTOCOL, as is a CRC mismatch or a malformed frame.
//
// stopReason: end_turn, stop_sequence -> stop; max_tokens,
// model_context_window_exceeded -> length; tool_use -> tool_calls;
// content_filtered, guardrail_intervened -> content_filter; anything else
// (malformed_model_output, malformed_tool_use, newer values) -> stop.
// Usage: Bedrock counts cached input apart from inputTokens, OpenAI inside
// prompt_tokens: prompt = inputTokens + cacheReadInputTokens +
// cacheWriteInputTokens, cached = cacheReadInputTokens.
//
// Errors (HTTP: code from x-amzn-ErrorType, else the body's code / __type,
// cut at ',' and ':' and after '#' as the JS SDK does; message from the
// body's message / Message; exception frames: :exception-type), compared
// without regard to case:
//   ThrottlingException, ModelNotReadyException      RETRY (429, Retry-After kept)
//   ServiceUnavailableException, InternalServerException,
//   ModelStreamErrorException                        RETRY (503 / 500)
//   ModelTimeoutException                            RETRY (408 -> client 504)
//   ValidationException, ResourceNotFoundException   UPSTREAM with Bedrock's
//                                                    status and message (400 / 404)
//   ServiceQuotaExceededException, ModelErrorException
//                                                    UPSTREAM 502 (the gateway's
//                                                    account or the model; not retried)
//   AccessDeniedException, ExpiredTokenException, UnrecognizedClientException,
//   InvalidSignatureException, IncompleteSignatureException,
//   MissingAuthenticationTokenException, any 401/403  AUTH (502)
//   other codes                                      by HTTP status
//                                                    (plugin_common::http_error);
//                                                    in a stream UPSTREAM 502
// An AUTH error that says the credentials expired or are unknown
// (ExpiredTokenException, ExpiredToken, UnrecognizedClientException,
// InvalidClientTokenId) also drops the cached credentials (like azure's
// EntraTokenSource::rejected), so that the host's second prepare() resolves
// them again. Messages are cut at their first line break (AWS's signature
// mismatch message goes on with the canonical request) and never contain the
// secret key or the session token.

#include "plugins/common/response_decoder.hpp"
#include "plugins/aws_common/event_stream.hpp"
#include "plugins/aws_common/sigv4.hpp"

#include <helixagent/plugin.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::aws_bedrock {

helix_finish_reason map_stop_reason(std::string_view reason) noexcept;

// "ThrottlingException:http://internal.amazon.com/..." -> "ThrottlingException";
// "com.amazonaws.bedrockruntime#ValidationException" -> "ValidationException".
std::string normalize_error_code(std::string_view code);

// True for the codes after which cached credentials are dropped.
bool credentials_expired(std::string_view code, std::string_view message) noexcept;

// The error for an AWS error code (HTTP error or exception frame). status is
// the HTTP status when known (0 in a stream). secrets are redacted.
helix::sdk::Error bedrock_error(std::string_view code, std::string_view message, int status,
                                std::uint32_t retry_after_ms, const helix::aws::Credentials &secrets);

struct CallOptions {
    std::string model;   // upstream model id, reported in START
    bool stream = false; // the request asked for ConverseStream
    helix::aws::Credentials credentials; // what the request was signed with (redaction, rejection)
    std::function<void(const helix::aws::Credentials &)> on_credentials_rejected; // may be empty
    helix::plugin_common::DecoderOptions decoder;
    std::size_t max_frame_bytes = helix::aws::kDefaultMaxEventStreamMessageBytes;
    // An InvokeModel call (embeddings): decodes its 200 JSON body instead of
    // Converse's; input_tokens is the X-Amzn-Bedrock-Input-Token-Count header
    // (-1 when absent). Errors are Bedrock's either way.
    std::function<void(const boost::json::value &body, std::int64_t input_tokens, helix::sdk::EventSink &events)>
        invoke_body;
    // An InvokeModelWithResponseStream call (the Messages API on Claude):
    // each `chunk` event's decoded bytes go here instead of Converse's
    // events, and invoke_stream_end checks the stream's end (both set or neither).
    std::function<void(std::string_view event_json, helix::sdk::EventSink &events)> invoke_chunk;
    std::function<void()> invoke_stream_end;
    // The request forced plugin_common::kJsonToolName: its call is the answer's text.
    bool json_tool_as_text = false;
};

class BedrockCall final : public helix::sdk::Call {
public:
    explicit BedrockCall(CallOptions options);
    ~BedrockCall() override;

    void decode(const helix_http_response &response, helix::sdk::EventSink &events) override;
    void finish(helix::sdk::EventSink &events) override;

    // For the JSON decoder.
    struct Shared {
        std::string request_id;
        std::string error_type; // x-amzn-ErrorType as received
        std::int64_t input_tokens = -1; // X-Amzn-Bedrock-Input-Token-Count (InvokeModel), -1 if absent
    };

private:
    template <class F> void guard(F &&f);
    void start(const helix_http_response &response);
    void on_message(const helix::aws::Message &message, helix::sdk::EventSink &events);
    void on_event(std::string_view type, std::string_view payload, helix::sdk::EventSink &events);
    void ensure_started(helix::sdk::EventSink &events);

    enum class BlockKind { other, text, tool, reasoning, json };
    struct Block {
        BlockKind kind = BlockKind::other;
        std::uint32_t tool_index = 0;
        std::uint32_t reasoning_index = 0;
        bool has_arguments = false;
    };
    Block &block(std::int64_t index);

    CallOptions options_;
    Shared shared_;
    bool begun_ = false;
    bool event_stream_ = false;
    std::unique_ptr<helix::plugin_common::ResponseDecoder> json_; // non-stream and error bodies
    helix::aws::EventStreamDecoder frames_;
    std::vector<helix::aws::Message> messages_;
    std::vector<Block> blocks_;
    std::uint32_t tool_count_ = 0;
    std::uint32_t reasoning_count_ = 0;
    bool json_answered_ = false; // the answer tool was called
    bool started_ = false;
    bool stopped_ = false;  // messageStop seen
    bool metadata_ = false; // metadata seen: the stream is complete
    bool any_frame_ = false;
};

} // namespace helix::aws_bedrock
