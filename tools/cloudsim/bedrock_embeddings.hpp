#pragma once
// Bedrock's embedding models through InvokeModel (POST /model/{id}/invoke),
// validated as Bedrock does (ValidationException "Malformed input request:
// #...: ..., please reformat your input and try again.", 400):
//   amazon.titan-embed-text-v2:0   {"inputText" (required, non-empty),
//                                   "dimensions" 256 | 512 | 1024 (default 1024),
//                                   "normalize", "embeddingTypes" [float|binary]}
//                                  -> {"embedding", "embeddingsByType"?,
//                                      "inputTextTokenCount"}
//   amazon.titan-embed-text-v1     {"inputText"} -> 1536 values
//   cohere.embed-english-v3,
//   cohere.embed-multilingual-v3   {"texts" (required, 1..96, each at most 2048
//                                   characters), "input_type" (required:
//                                   search_document, search_query,
//                                   classification, clustering), "truncate",
//                                   "embedding_types"} -> 1024 values each,
//                                   {"embeddings": {"float": [...]}} with
//                                   embedding_types, else a bare list
// Any other member is "extraneous key [..] is not permitted". Vectors are
// sim_embedding() of each text; tokens (words) go in
// X-Amzn-Bedrock-Input-Token-Count, and Titan's inputTextTokenCount.

#include "tools/cloudsim/bedrock_wire.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim::bedrock {

bool is_embedding_model(std::string_view model_id);

struct EmbeddingsReply {
    std::string body;
    std::uint64_t input_tokens = 0;
    std::string first_text; // where a [[fault:...]] directive is looked for
};

std::optional<EmbeddingsReply> embeddings_reply(std::string_view model_id, std::string_view body, ApiError &error);

} // namespace helix::cloudsim::bedrock
