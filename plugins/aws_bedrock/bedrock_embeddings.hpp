#pragma once
// Embeddings on Bedrock: InvokeModel (POST {endpoint}/model/{modelId}/invoke,
// SigV4 as Converse) with the model family's own body.
//
// Amazon Titan Text Embeddings (amazon.titan-embed-text-*): one text per call
// (the host splits larger requests: max_embedding_inputs 1):
//   {"inputText": text, "normalize": true, "dimensions"?: 256 | 512 | 1024 (v2 only)}
//   -> {"embedding": [...], "inputTextTokenCount": n}
// Cohere Embed v3 (cohere.embed-*): up to 96 texts per call:
//   {"texts": [...], "input_type": "search_document", "embedding_types": ["float"]}
//   -> {"embeddings": {"float": [[...], ...]}} (or the older bare list),
//   tokens from the X-Amzn-Bedrock-Input-Token-Count header.
//   input_type may be set by the client's body ("input_type": search_document,
//   search_query, classification or clustering: a Cohere extension of
//   OpenAI's request).
// Refused (INVALID_REQUEST, 400, with param): token-id inputs ("input"),
// dimensions Titan v2 does not offer or any for Titan v1 and Cohere
// ("dimensions"), a Cohere text over 2048 characters ("input"), an unknown
// input_type ("input_type"), a model of neither family ("model").

#include "plugins/aws_bedrock/bedrock_settings.hpp"

#include <helixagent/plugin.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace helix::aws_bedrock {

enum class EmbeddingFamily { none, titan, cohere };

// By the upstream id, with or without a cross-region prefix ("us.").
EmbeddingFamily embedding_family(std::string_view upstream_id) noexcept;

// Fills out's method, url, body (no headers yet) for this part of a request.
void build_embeddings_request(const Settings &settings, const helix_embeddings_request &request,
                              helix::sdk::HttpRequest &out);

// The 200 body of `family` -> EMBEDDING events (indexes in the call) and USAGE.
void decode_embeddings(EmbeddingFamily family, const boost::json::value &body, std::int64_t input_tokens,
                       std::size_t inputs, helix::sdk::EventSink &events);

} // namespace helix::aws_bedrock
