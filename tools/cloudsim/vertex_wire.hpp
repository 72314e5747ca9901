#pragma once
// Vertex AI (Gemini) wire format (docs/providers.md, gcp-vertex), without I/O:
// model URLs, generateContent request parsing and validation into a
// SimPrompt, GenerateContentResponse bodies, the streamGenerateContent frames
// (SSE with alt=sse, else one JSON array written element by element), the
// legacy :predict shapes of text-bison / code-bison / code-gecko, countTokens,
// and Google's error bodies.

#include "tools/cloudsim/delivery.hpp"
#include "tools/cloudsim/reply_generator.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::vertex {

// {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[...]}}
struct ApiError {
    int code = 400;
    std::string status = "INVALID_ARGUMENT";
    std::string message;
    boost::json::array details; // google.rpc detail objects; omitted when empty
};

ApiError invalid_argument(std::string message);
// 404 for a model this simulator does not serve.
ApiError model_not_found(std::string_view resource);
std::string error_body(const ApiError &error);

// The parts of a model URL:
//   /{v1|v1beta1}/projects/{p}/locations/{l}/publishers/{pub}/models/{m}:{method}
//   /{v1|v1beta1}/publishers/{pub}/models/{m}:{method}     (express mode, API key)
struct ModelPath {
    std::string version;  // "v1" or "v1beta1"
    std::string project;  // empty in express mode
    std::string location; // empty in express mode
    std::string publisher;
    std::string model;
    std::string method; // "generateContent", "streamGenerateContent", "predict", ...
};
std::optional<ModelPath> parse_model_path(std::string_view path);
// "projects/p/locations/l/publishers/google/models/m" (or "publishers/google/models/m").
std::string resource_name(const ModelPath &path);

// The OpenAI-compatible endpoint of partner models (vertex_openai.hpp):
//   /{v1|v1beta1}/projects/{p}/locations/{l}/endpoints/openapi/chat/completions
struct OpenApiPath {
    std::string version;
    std::string project;
    std::string location;
};
std::optional<OpenApiPath> parse_openapi_path(std::string_view path);

// Which API family serves `model` (of publisher google).
enum class ModelFamily { gemini, text_bison, code_bison, code_gecko, unknown };
ModelFamily model_family(std::string_view model);

struct GenerateRequest {
    SimPrompt prompt;
};

// Parses a GenerateContentRequest (also the body of countTokens). JSON field
// names may be lowerCamelCase or snake_case, as Google's JSON parser allows;
// unknown top-level fields are refused as Google does. Prompt tokens count
// every text: system instruction and content text parts, a functionCall's
// name and args JSON, a functionResponse's response JSON.
std::optional<GenerateRequest> parse_generate_request(std::string_view body, std::string_view model,
                                                      ApiError &error);

// Token counts of a GenerateContentRequest: {"totalTokens", "totalBillableCharacters", ...}.
std::string count_tokens_body(const SimPrompt &prompt);

struct ResponseMeta {
    std::string response_id;
    std::string create_time; // RFC 3339 with microseconds
    std::string model_version;
};

std::string finish_reason(FinishReason finish);

// A GenerateContentResponse with the whole reply.
std::string generate_body(const Reply &reply, const ResponseMeta &meta, bool show_thinking = false);
// A reply stopped by the safety filters: no content, finishReason SAFETY,
// a blocked safety rating; `pieces_sent` text pieces (the first ones of
// `reply`) count as candidate tokens (0 for a whole-body reply).
std::string safety_stop_chunk(const Reply &reply, std::size_t pieces_sent, const ResponseMeta &meta);
// A prompt blocked before generation: no candidates, promptFeedback.blockReason SAFETY.
std::string blocked_prompt_body(std::uint64_t prompt_tokens, const ResponseMeta &meta);

enum class StreamFraming {
    sse,        // ?alt=sse: `data: <json>\r\n\r\n` per chunk
    json_array, // no alt: "[" chunk ",\r\n" chunk ... "]"
};

// The chunks of `reply`: one per text piece (the last one with finishReason
// and the complete usageMetadata; the others with usageMetadata
// {"trafficType":"ON_DEMAND"}), or a single chunk with a tool call's
// functionCall. With `safety_stop`, the text stops after kFaultAfterTokens
// pieces and a last chunk says finishReason SAFETY. `reply` must outlive
// the stream.
class ChunkStream final : public FrameSource {
public:
    // show_thinking: the reply's thinking as a thought part (includeThoughts).
    ChunkStream(const Reply &reply, ResponseMeta meta, StreamFraming framing, bool safety_stop = false,
                bool show_thinking = false);
    bool next(Frame &frame) override;
    std::size_t token_frames() const override;

private:
    std::string frame(const std::string &json);

    const Reply &reply_;
    ResponseMeta meta_;
    StreamFraming framing_;
    bool safety_stop_;
    bool show_thinking_;
    std::size_t index_ = 0;
    std::size_t frames_ = 0; // frames written (for the array separators)
    bool finished_ = false;
    bool closed_ = false;
};

// A frame whose JSON is cut short (the malformed-json fault) in `framing`.
std::string malformed_chunk(StreamFraming framing);
// An error body as the framing carries it: the body itself, or wrapped in an
// array for the JSON-array stream.
std::string framed_error_body(const ApiError &error, bool array);

// Legacy :predict.
struct PredictRequest {
    std::vector<SimPrompt> instances; // one prompt per instance
};
std::optional<PredictRequest> parse_predict_request(std::string_view body, ModelFamily family, std::string_view model,
                                                    ApiError &error);
// {"predictions":[{"content",...}],"metadata":{"tokenMetadata":{...}}}
std::string predict_body(const std::vector<Reply> &replies, const std::vector<SimPrompt> &prompts);

// Google's character count for billing: characters that are not whitespace.
std::uint64_t billable_characters(std::string_view text);

} // namespace helix::cloudsim::vertex
