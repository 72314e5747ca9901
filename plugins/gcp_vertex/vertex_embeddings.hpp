#pragma once
// Text embeddings through :predict (text-embedding-005, gemini-embedding-001):
//   request   {"instances": [{"content": text}, ...],
//              "parameters": {"outputDimensionality"?: dimensions}}
//             (gemini-embedding-001 takes one instance per call: the host
//             splits, max_embedding_inputs 1; text-embedding-005 takes 250)
//   response  predictions[i].embeddings.values -> EMBEDDING i;
//             the sum of predictions[i].embeddings.statistics.token_count -> USAGE
// Token-id inputs are refused (400, param "input"); errors are Google's
// (google_error.hpp).

#include "plugins/common/response_decoder.hpp"

#include <helixagent/plugin.hpp>

#include <string>

namespace helix::gcp_vertex {

std::string embeddings_body(const helix_embeddings_request &request);

class EmbeddingsCall final : public helix::plugin_common::ResponseDecoder {
public:
    EmbeddingsCall(helix::plugin_common::DecoderOptions options, std::string secret, std::size_t inputs)
        : ResponseDecoder(std::move(options)), secret_(std::move(secret)), inputs_(inputs) {}

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    std::string secret_;
    std::size_t inputs_;
};

} // namespace helix::gcp_vertex
