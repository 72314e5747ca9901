#pragma once
// Builds the reply of POST /v1/embeddings from canonical events:
//   {"object":"list",
//    "data":[{"object":"embedding","index":i,"embedding":[...floats] | "base64"}, ...],
//    "model":<the name the client asked for>,
//    "usage":{"prompt_tokens":n,"total_tokens":n}}
// data is ordered by index whatever order the events came in. Floats are
// written in their shortest form that reads back as the same float32; base64
// is the vector's float32 values, little-endian, as OpenAI sends them. The
// last USAGE event wins (a batched request's parts are summed before it:
// router/embedding_parts.hpp). Embedding events at or above
// kMaxEmbeddingInputs are ignored, so a faulty plugin cannot make it allocate
// without end.

#include "daemon/api/response_common.hpp"
#include "helixagent/plugin_abi.h"

#include <optional>
#include <string>
#include <vector>

namespace helix::api {

class EmbeddingsBuilder {
public:
    EmbeddingsBuilder(std::string model, bool base64) : model_(std::move(model)), base64_(base64) {}

    void add(const helix_event &event);
    const Usage &usage() const noexcept { return usage_; }
    std::size_t count() const noexcept; // vectors received
    std::string build() const;

private:
    std::string model_;
    bool base64_;
    std::vector<std::optional<std::vector<float>>> vectors_;
    Usage usage_;
};

// The float32 values of `vector`, little-endian, in base64 (no line breaks).
std::string base64_floats(const std::vector<float> &vector);

} // namespace helix::api
