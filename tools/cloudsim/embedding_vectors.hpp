#pragma once
// The simulators' embeddings: a deterministic unit vector derived from the
// input alone, so that the same text always gets the same vector (whichever
// simulated provider and however the gateway batches it) and tests can check
// that every vector came back at its input's index.
//
// sim_embedding: FNV-1a (64-bit) of the text seeds a splitmix64 sequence;
// component i is the i-th value mapped to [-1, 1); the vector is then scaled
// to length 1 (every provider's embeddings are normalised). Token-id inputs
// hash their ids written as decimal text joined by single spaces.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim {

std::vector<float> sim_embedding(std::string_view text, std::size_t dimensions);
std::vector<float> sim_embedding(std::span<const std::int64_t> tokens, std::size_t dimensions);

// float32 values, little-endian, base64 (OpenAI's encoding_format "base64").
std::string floats_base64(const std::vector<float> &vector);

} // namespace helix::cloudsim
