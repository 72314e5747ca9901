#pragma once
// POST /v1/embeddings in OpenAI's wire format, shared by the OpenAI module
// and Azure OpenAI's /openai/deployments/{name}/embeddings.
//
// Validation as OpenAI answers it (400 invalid_request_error unless said):
//   model            required (OpenAI; Azure takes it from the deployment);
//                    not an embeddings model -> 404 model_not_found
//   input            a string, [strings], [token ids] or [[token ids]];
//                    an empty string or array, more than 2048 inputs, or any
//                    other shape -> "'$.input' is invalid."
//   encoding_format  "float" | "base64"
//   dimensions       >= 1 and at most the model's size, only on
//                    text-embedding-3-* ("This model does not support
//                    specifying dimensions.")
// Vectors: sim_embedding() of each input (embedding_vectors.hpp); usage:
// prompt_tokens = words of the texts (count_tokens) or the token ids given.
// Faults as in chat (x-sim-fault, [[fault:...]] in the first input, the board).

#include "tools/cloudsim/openai_api.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace helix::cloudsim::openai {

// The native size of an embeddings model, or nullopt for any other model.
std::optional<std::size_t> embedding_size(std::string_view model);

// Reads, validates and answers one request. `model` (Azure: the deployment's
// model) overrides the body's, which is then optional.
void answer_embeddings(Exchange &exchange, ProviderContext &context, const ChatService &service,
                       const std::optional<std::string> &model);

} // namespace helix::cloudsim::openai
