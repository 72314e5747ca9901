#pragma once
// The legacy PaLM / Codey models (text-bison, code-bison) through :predict
// (docs/providers.md, gcp-vertex). They take one prompt, not a conversation:
//   request   {"instances": [{"prompt": <text>}]} (code-bison: "prefix"),
//             "parameters": {temperature, topP, maxOutputTokens, stopSequences}}
//   prompt    the system texts, then a lone user message as it is; a longer
//             conversation as "User: ..." / "Assistant: ..." paragraphs ending in
//             "Assistant:" so the model continues as the assistant
//   response  predictions[0].content -> TEXT_DELTA; safetyAttributes.blocked ->
//             content_filter; metadata.tokenMetadata {input,output}TokenCount.
//             totalTokens (camelCase or snake_case) -> USAGE
// Non-streaming only: a stream request gets the whole answer as one chunk.
// Tools, images and response_format json_schema are refused (400, the field named).

#include "plugins/common/response_decoder.hpp"

#include <helixagent/plugin.hpp>

#include <string>

namespace helix::gcp_vertex {

std::string predict_body(const helix_chat_request &request);

class PredictCall final : public helix::plugin_common::ResponseDecoder {
public:
    PredictCall(helix::plugin_common::DecoderOptions options, std::string secret);

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    std::string secret_;
};

} // namespace helix::gcp_vertex
