#include "tools/cloudsim/embedding_vectors.hpp"

#include <Poco/Base64Encoder.h>

#include <bit>
#include <cmath>
#include <sstream>

namespace helix::cloudsim {

std::vector<float> sim_embedding(std::string_view text, std::size_t dimensions) {
    std::uint64_t state = 14695981039346656037ULL;
    for (const char c : text) {
        state ^= static_cast<unsigned char>(c);
        state *= 1099511628211ULL;
    }
    std::vector<float> v(dimensions);
    double norm = 0;
    for (float &x : v) {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        const double unit = static_cast<double>(z >> 11) / 9007199254740992.0; // [0, 1)
        x = static_cast<float>(unit * 2.0 - 1.0);
        norm += static_cast<double>(x) * static_cast<double>(x);
    }
    norm = std::sqrt(norm);
    if (norm > 0)
        for (float &x : v) x = static_cast<float>(static_cast<double>(x) / norm);
    return v;
}

std::vector<float> sim_embedding(std::span<const std::int64_t> tokens, std::size_t dimensions) {
    std::string text;
    for (const std::int64_t t : tokens) {
        if (!text.empty()) text += ' ';
        text += std::to_string(t);
    }
    return sim_embedding(text, dimensions);
}

std::string floats_base64(const std::vector<float> &vector) {
    std::string bytes;
    bytes.reserve(vector.size() * 4);
    for (const float f : vector) {
        const auto bits = std::bit_cast<std::uint32_t>(f);
        for (int b = 0; b < 4; ++b) bytes += static_cast<char>((bits >> (8 * b)) & 0xFFu);
    }
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

} // namespace helix::cloudsim
