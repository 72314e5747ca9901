#pragma once
// decode()/finish() of Gemini models: GenerateContentResponse bodies and
// alt=sse streams of them (docs/providers.md, gcp-vertex) -> canonical events.
//
// Every body or stream event is one GenerateContentResponse:
//   first one                      START(responseId, modelVersion)
//   candidates[i] (index, else i)  its choice; content.parts: text -> TEXT_DELTA
//                                  (thought parts skipped), functionCall ->
//                                  TOOL_CALL_DELTA with id (Google's, else made
//                                  up: call_<responseId>_<choice>_<n>), name and
//                                  the args serialised, whole, in one delta
//   finishReason                   FINISH: STOP -> stop, or tool_calls when the
//                                  candidate called a function; MAX_TOKENS ->
//                                  length; SAFETY, RECITATION, BLOCKLIST,
//                                  PROHIBITED_CONTENT, SPII, LANGUAGE, IMAGE_* ->
//                                  content_filter; anything else -> stop
//   promptFeedback.blockReason     no candidates: FINISH(0, content_filter)
//   usageMetadata (last seen)      USAGE once at the end: prompt = promptTokenCount,
//                                  completion = candidatesTokenCount +
//                                  thoughtsTokenCount, cached = cachedContentTokenCount
//   {"error": {...}} in a stream   the Google error (google_error.hpp)
// A stream that ends before any candidate finished is an error (PROTOCOL).

#include "plugins/common/response_decoder.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace helix::gcp_vertex {

helix_finish_reason map_finish_reason(std::string_view reason, bool called_a_function) noexcept;

class GeminiCall final : public helix::plugin_common::ResponseDecoder {
public:
    // `secret`: the bearer token, redacted from any message; `id_seed` names
    // tool calls when the response has no responseId.
    GeminiCall(helix::plugin_common::DecoderOptions options, std::string secret, std::string id_seed);

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    void on_response(const boost::json::value &response, helix::sdk::EventSink &events);
    void on_candidate(const boost::json::object &candidate, std::uint32_t choice, helix::sdk::EventSink &events);
    void emit_usage(helix::sdk::EventSink &events);

    struct Choice {
        std::uint32_t tool_calls = 0;
        bool finished = false;
        std::uint32_t reasoning_blocks = 0; // reasoning_index of the next block
        std::uint32_t thought_block = 0;    // the thought block being written
        bool thought_open = false;
    };
    Choice &choice(std::uint32_t index);

    std::string secret_;
    std::string id_seed_;
    std::vector<Choice> choices_;
    bool started_ = false;
    bool finished_ = false; // some candidate (or the blocked prompt) finished
    bool have_usage_ = false;
    std::int64_t prompt_tokens_ = 0;
    std::int64_t completion_tokens_ = 0;
    std::int64_t cached_tokens_ = 0;
    std::int64_t reasoning_tokens_ = 0;
};

} // namespace helix::gcp_vertex
