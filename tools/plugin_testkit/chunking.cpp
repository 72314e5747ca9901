#include "tools/plugin_testkit/chunking.hpp"

#include <random>

namespace helix::plugin_testkit {

std::vector<std::string_view> split(std::string_view body, Chunking how, unsigned seed) {
    std::vector<std::string_view> out;
    if (how == Chunking::whole) {
        out.push_back(body);
    } else if (how == Chunking::bytes) {
        for (std::size_t i = 0; i < body.size(); ++i) out.push_back(body.substr(i, 1));
    } else {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<std::size_t> size(1, 23);
        for (std::size_t i = 0; i < body.size();) {
            const std::size_t n = size(rng);
            out.push_back(body.substr(i, n));
            i += n;
        }
    }
    return out;
}

} // namespace helix::plugin_testkit
