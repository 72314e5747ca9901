#pragma once
// Embeddings in OpenAI's dialect (POST {base_url}/embeddings), shared with
// Azure OpenAI, which puts the same body behind its deployment URL.
//
// Request body: {"model", "input": [strings] or [[token ids]], "encoding_format":
// "float", "dimensions"?, "user"?}. The gateway always asks for floats: every
// provider's vectors then take one path, and the host writes base64 itself
// (float32 little-endian, as OpenAI does) when the client asked for it, so a
// base64 reply looks the same whichever provider served it.
//
// Response: data[i].embedding (floats) for data[i].index (its position when
// absent) -> EMBEDDING events; usage.prompt_tokens -> USAGE. Non-2xx ->
// error_from_body (openai_call.hpp); a body that is not the list -> PROTOCOL.

#include "plugins/common/response_decoder.hpp"

#include <helixagent/plugin.hpp>

#include <string>

namespace helix::openai {

std::string embeddings_body(const helix_embeddings_request &request);

class EmbeddingsCall final : public helix::plugin_common::ResponseDecoder {
public:
    // `secret` (the API key) is scrubbed from upstream messages.
    EmbeddingsCall(std::string secret, helix::plugin_common::DecoderOptions options)
        : ResponseDecoder(std::move(options)), secret_(std::move(secret)) {}

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    std::string secret_;
};

} // namespace helix::openai
