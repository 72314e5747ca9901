#include "daemon/api/embeddings_builder.hpp"

#include "daemon/api/embeddings_request.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <openssl/evp.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace helix::api {

void EmbeddingsBuilder::add(const helix_event &event) {
    if (event.type == HELIX_EVENT_USAGE) return usage_.record(event);
    if (event.type != HELIX_EVENT_EMBEDDING || event.embedding_index >= kMaxEmbeddingInputs) return;
    if (vectors_.size() <= event.embedding_index) vectors_.resize(event.embedding_index + 1);
    const float *values = event.embedding_len > 0 ? event.embedding : nullptr;
    vectors_[event.embedding_index].emplace(values, values == nullptr ? values : values + event.embedding_len);
}

std::size_t EmbeddingsBuilder::count() const noexcept {
    std::size_t n = 0;
    for (const auto &v : vectors_) n += v.has_value() ? 1U : 0U;
    return n;
}

std::string base64_floats(const std::vector<float> &vector) {
    std::string bytes(vector.size() * 4, '\0');
    for (std::size_t i = 0; i < vector.size(); ++i) {
        const auto bits = std::bit_cast<std::uint32_t>(vector[i]);
        for (std::size_t b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFFu);
    }
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                  reinterpret_cast<const unsigned char *>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    return out;
}

std::string EmbeddingsBuilder::build() const {
    std::string out = R"({"object":"list","data":[)";
    bool first = true;
    char number[32];
    for (std::size_t i = 0; i < vectors_.size(); ++i) {
        if (!vectors_[i]) continue;
        if (!first) out += ',';
        first = false;
        out += R"({"object":"embedding","index":)";
        out += std::to_string(i);
        out += R"(,"embedding":)";
        const std::vector<float> &v = *vectors_[i];
        if (base64_) {
            out += '"';
            out += base64_floats(v);
            out += '"';
        } else {
            out += '[';
            for (std::size_t k = 0; k < v.size(); ++k) {
                if (k > 0) out += ',';
                // JSON has no NaN or infinity (the plugin boundary refuses them; this is a guard).
                const float x = std::isfinite(v[k]) ? v[k] : 0.0f;
                const auto r = std::to_chars(number, number + sizeof number, x);
                out.append(number, r.ptr);
            }
            out += ']';
        }
        out += '}';
    }
    out += R"(],"model":)";
    out += boost::json::serialize(boost::json::string(model_));
    out += R"(,"usage":{"prompt_tokens":)";
    out += std::to_string(usage_.prompt_tokens);
    out += R"(,"total_tokens":)";
    out += std::to_string(usage_.prompt_tokens);
    out += "}}";
    return out;
}

} // namespace helix::api
