#pragma once
// The gcp-vertex provider: Gemini models through :generateContent and
// :streamGenerateContent?alt=sse (gemini_request.hpp, gemini_call.hpp), the
// legacy text-bison and code-bison through :predict (predict.hpp), Claude
// through rawPredict / streamRawPredict (vertex_claude.hpp), Llama and the
// other "publisher/model" ids through the OpenAI-compatible endpoint
// (openai_endpoint.hpp), the
// embedding models through :predict (vertex_embeddings.hpp), with a
// fixed access token, a service account or the metadata server
// (vertex_settings.hpp, google_token_source.hpp). A 401 drops the cached
// token so that the host's second prepare() fetches a new one.

#include "plugins/common/response_decoder.hpp"
#include "plugins/gcp_vertex/google_token_source.hpp"
#include "plugins/gcp_vertex/vertex_settings.hpp"

#include <atomic>
#include <memory>

namespace helix::gcp_vertex {

class VertexProvider final : public helix::sdk::Provider {
public:
    explicit VertexProvider(helix::sdk::Host host);

    static void validate_config(std::string_view json) { parse_settings(json); }

    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;

    // The settings table: keys, types, defaults, secrets and the environment.

    static std::vector<helix::sdk::Setting> settings();

    std::vector<helix::sdk::Model> models() const override { return settings_.models; }
    // :predict on the embedding models (vertex_embeddings.hpp).
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &request,
                                                         helix::sdk::HttpRequest &out) override;
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    // Claude's Messages API through rawPredict (vertex_claude.hpp).
    std::unique_ptr<helix::sdk::Call> prepare_messages(const helix_messages_request &request,
                                                       helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    // A decoder's options for the prepared request (a stream if it asks for one).
    helix::plugin_common::DecoderOptions decoder_options(const helix::sdk::HttpRequest &out) const;
    // The method and headers of a call, with its access token or API key (returned).
    std::string authorize(helix::sdk::HttpRequest &out, bool stream);
    // `call` behind one that drops a refused token (unless the token is fixed).
    std::unique_ptr<helix::sdk::Call> guarded(std::unique_ptr<helix::sdk::Call> call, const std::string &token);

    Settings settings_;
    std::unique_ptr<GoogleTokenSource> tokens_; // null with a fixed access token
    std::atomic<std::uint64_t> calls_{0};       // tells made-up tool call ids apart
};

} // namespace helix::gcp_vertex
