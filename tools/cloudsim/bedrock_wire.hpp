#pragma once
// AWS Bedrock Runtime wire format (docs/providers.md, aws-bedrock), without I/O:
// the /model/{modelId}/{operation} paths, Converse request parsing and
// validation into a SimPrompt, the Converse body, the ConverseStream events,
// the model-native InvokeModel bodies and chunk events (Anthropic messages
// for anthropic.claude*, prompt/generation for meta.llama*, inputText/results
// for amazon.titan-text*), the application/vnd.amazon.eventstream frames
// (helix_aws_common's encoder) with the stream faults (exception frames, a
// wrong message CRC), and AWS's JSON error shape.

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/faults.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::bedrock {

inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";
// Largest request body Bedrock takes.
inline constexpr std::size_t kMaxBodyBytes = 25'000'000;

enum class Operation { converse, converse_stream, invoke, invoke_stream };

bool is_stream(Operation op);
std::string_view operation_name(Operation op); // "Converse", "ConverseStream", "InvokeModel", ...

struct ModelPath {
    std::string model_id; // percent-decoded
    Operation operation = Operation::converse;
};

// "/model/{modelId}/{converse|converse-stream|invoke|invoke-with-response-stream}"
// as received (the id percent-encoded, "%3A" for ':' and "%2F" for '/' in an
// ARN); nullopt for any other path.
std::optional<ModelPath> parse_model_path(std::string_view raw_path);

enum class ModelFamily { claude, llama, titan, other };

// The family of a model identifier: a foundation model id
// ("anthropic.claude-3-sonnet-20240229-v1:0"), an inference profile id
// ("us.anthropic...") or an ARN ending in one; nullopt when it is not a
// model identifier Bedrock knows the shape of.
std::optional<ModelFamily> model_family(std::string_view model_id);
// False when model_id is a geographic cross-region inference profile of
// other regions than `region` ("eu.anthropic..." in us-east-1); "global." and
// plain model ids serve every region.
bool profile_serves_region(std::string_view model_id, std::string_view region);
// "anthropic.claude-3-sonnet-20240229-v1:0" -> "claude-3-sonnet-20240229"
std::string anthropic_model_name(std::string_view model_id);

// AWS's JSON error: status, x-amzn-ErrorType and {"message": ...}.
struct ApiError {
    int status = 400;
    std::string type = "ValidationException";
    std::string message;
    std::string message_key = "message";
    boost::json::object extra; // more members (originalStatusCode, ...)
};

ApiError validation_error(std::string message);
ApiError invalid_model_error();
ApiError unknown_operation(std::string_view method, std::string_view path);
std::string error_body(const ApiError &error);
// "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
// (auth errors carry com.amazon.coral.service).
std::string error_type_header(std::string_view type);
// The error for a common fault kind: 429 ThrottlingException, 500
// InternalServerException, 503 (and 529) ServiceUnavailableException.
ApiError fault_error(FaultKind fault);

// ---------------------------------------------------------------------------
// Converse / ConverseStream

// Parses and validates a Converse request body (the model id is the path's).
std::optional<SimPrompt> parse_converse_request(std::string_view body, std::string_view model_id, ApiError &error);
std::string stop_reason(FinishReason finish);
std::string tool_use_id(const ToolCall &call); // "tooluse_..."
std::string converse_body(const Reply &reply, std::int64_t latency_ms);

// One event of a stream before framing. For ConverseStream `payload` is the
// event's struct; for InvokeModelWithResponseStream (type "chunk") it is the
// model-native event that travels base64-encoded in "bytes".
struct StreamEvent {
    std::string type;
    boost::json::object payload;
    bool token = false;   // carries generated text or tool input (paced, counted for faults)
    bool metrics = false; // gets the measured latency when sent
};

// messageStart, [contentBlockStart (toolUse only)], contentBlockDelta per
// token / argument fragment, contentBlockStop, messageStop, metadata.
std::vector<StreamEvent> converse_stream_events(const Reply &reply);

// ---------------------------------------------------------------------------
// Stream faults only Bedrock has (per request: x-sim-fault or [[fault:...]])

enum class StreamFaultKind { none, bad_crc, malformed_frame, exception_frame };

struct StreamFault {
    StreamFaultKind kind = StreamFaultKind::none;
    std::string exception_type; // lowerCamel union member: "throttlingException"
};

// "bad-crc", "malformed-frame", "exception-frame" (a throttlingException) or
// "exception-frame:<type>" (<type> one of the operation's exception members,
// either case for the first letter). nullopt when `text` names none of them;
// a StreamFault with kind none and `error` set for an unknown exception type.
std::optional<StreamFault> parse_stream_fault(std::string_view text, Operation op, std::string &error);
// The JSON error a non-streamed operation answers instead of the exception frame.
ApiError exception_as_error(std::string_view exception_type);
std::string exception_payload(std::string_view exception_type);

enum class Framing { converse, chunk };

// The frames of one event stream. Faults strike after kFaultAfterTokens
// token frames (or all of them, when fewer): exception_frame sends the
// exception frame and ends the stream; bad_crc sends the next frame with a
// wrong message CRC (the prelude CRC stays right) and goes on;
// malformed_frame sends the next frame with a headers length beyond its total
// length, both CRCs right, and goes on.
class EventFrames final : public FrameSource {
public:
    // `elapsed_ms`: milliseconds since the request started, for the latency
    // figures (default: since this object was made).
    EventFrames(std::vector<StreamEvent> events, Framing framing, StreamFault fault,
                std::function<std::int64_t()> elapsed_ms = {});
    bool next(Frame &frame) override;
    std::size_t token_frames() const override { return tokens_; }

private:
    std::string encode(StreamEvent &event, std::size_t index);

    std::vector<StreamEvent> events_;
    Framing framing_;
    StreamFault fault_;
    std::function<std::int64_t()> elapsed_ms_;
    std::size_t tokens_ = 0;
    std::size_t strike_after_ = 0;
    std::size_t index_ = 0;
    std::size_t tokens_sent_ = 0;
    bool struck_ = false;
    bool corrupt_next_ = false;
    bool ended_ = false;
    std::optional<std::int64_t> first_byte_ms_;
};

// A well-framed event (right CRCs) whose JSON payload is cut short: the
// malformed-json fault.
std::string malformed_frame(Framing framing);
// Real Bedrock pads every event payload with "p": a run of letters of varying length.
std::string padding(std::size_t index);
std::string base64(std::string_view bytes);

// ---------------------------------------------------------------------------
// InvokeModel / InvokeModelWithResponseStream

struct InvokeRequest {
    SimPrompt prompt;
    ModelFamily family = ModelFamily::claude;
};

std::optional<InvokeRequest> parse_invoke_request(std::string_view body, std::string_view model_id, ModelFamily family,
                                                  ApiError &error);
// `message_id` names Anthropic replies ("msg_bdrk_...").
std::string invoke_body(const InvokeRequest &request, const Reply &reply, std::string_view message_id);
// The model-native stream events ("chunk"); the last carries
// amazon-bedrock-invocationMetrics.
std::vector<StreamEvent> invoke_stream_events(const InvokeRequest &request, const Reply &reply,
                                              std::string_view message_id);

} // namespace helix::cloudsim::bedrock
