#pragma once
// POST /v1/embeddings bodies: parsed and validated the way OpenAI does it,
// into the host's canonical request (helix_embeddings_request of the plugin ABI).
//
//   model            required, a non-empty string
//   input            required: a string, an array of strings, an array of
//                    token ids (one input), or an array of token-id arrays;
//                    no empty string, no empty array, at most
//                    kMaxEmbeddingInputs inputs, token ids in 0..2^31-1
//   encoding_format  "float" (default) or "base64"
//   dimensions       an integer >= 1
//   user             a string
// Unknown members are ignored and null counts as absent, as in chat
// completions. Every failure is a 400 invalid_request_error naming the field
// ("input[3]", "dimensions") with OpenAI's codes (json_fields.hpp).

#include "daemon/api/error_body.hpp"
#include "helixagent/plugin_abi.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace helix::api {

// OpenAI's limit of inputs per request.
inline constexpr std::size_t kMaxEmbeddingInputs = 2048;
// No model has more; a larger value is a typo, not a request.
inline constexpr std::int64_t kMaxEmbeddingDimensions = 65536;

// A parsed, valid embeddings request. It owns every byte view() points to.
// Move-only; a moved-from request may only be destroyed or assigned.
class EmbeddingsRequest {
public:
    EmbeddingsRequest(EmbeddingsRequest &&) noexcept;
    EmbeddingsRequest &operator=(EmbeddingsRequest &&) noexcept;
    EmbeddingsRequest(const EmbeddingsRequest &) = delete;
    EmbeddingsRequest &operator=(const EmbeddingsRequest &) = delete;
    ~EmbeddingsRequest();

    // The canonical request for inputs [first, first + count) (one batch of
    // a provider that takes fewer inputs per call), sent as `upstream_model`.
    // Its pointers stay valid while this request and `upstream_model` live.
    helix_embeddings_request view(std::string_view upstream_model, std::size_t first, std::size_t count) const noexcept;

    std::string_view model() const noexcept; // as the client wrote it
    std::size_t input_count() const noexcept;
    std::uint32_t dimensions() const noexcept; // 0 = the model's default
    bool base64() const noexcept;              // encoding_format "base64"
    bool token_inputs() const noexcept;        // input given as token ids
    std::string_view body() const noexcept;    // the client's body text

private:
    struct Impl;
    explicit EmbeddingsRequest(std::unique_ptr<Impl> impl) noexcept;
    std::unique_ptr<Impl> impl_;

    friend class EmbeddingsRequestParser;
};

using EmbeddingsParseResult = std::variant<EmbeddingsRequest, ApiError>;

// Never throws (an allocation failure becomes a 500 ApiError), whatever the bytes.
EmbeddingsParseResult parse_embeddings_request(std::string body);

} // namespace helix::api
