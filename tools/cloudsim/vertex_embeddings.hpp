#pragma once
// Vertex AI's text embedding models through :predict, validated as Vertex
// answers (400 INVALID_ARGUMENT):
//   text-embedding-005     768 values, up to 250 instances per request
//   gemini-embedding-001   3072 values, one instance per request
// Body: {"instances": [{"content": text, "task_type"?, "title"?}],
//        "parameters"?: {"outputDimensionality": 1..size, "autoTruncate"?}}.
// Reply: {"predictions": [{"embeddings": {"values": [...], "statistics":
// {"token_count": words, "truncated": false}}}], "metadata":
// {"billableCharacterCount": n}}; vectors are sim_embedding() of each content.

#include "tools/cloudsim/vertex_wire.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim::vertex {

// The size of an embedding model (by its id, version suffixes kept), or nullopt.
std::optional<std::size_t> embedding_size(std::string_view model);

struct EmbeddingsReply {
    std::string body;
    std::string first_text; // where a [[fault:...]] directive is looked for
};

std::optional<EmbeddingsReply> embeddings_reply(std::string_view model, std::string_view body, ApiError &error);

} // namespace helix::cloudsim::vertex
