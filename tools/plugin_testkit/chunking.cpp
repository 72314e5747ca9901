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

std::vector<Cut> every_cut(unsigned random_seeds) {
    std::vector<Cut> cuts{{Chunking::whole, 1}, {Chunking::bytes, 1}};
    for (unsigned seed = 1; seed <= random_seeds; ++seed) cuts.push_back({Chunking::random, seed});
    return cuts;
}

std::string cut_name(const Cut &cut) {
    switch (cut.how) {
    case Chunking::whole:
        return "whole";
    case Chunking::bytes:
        return "byte by byte";
    case Chunking::random:
        break;
    }
    return "in random pieces (seed " + std::to_string(cut.seed) + ")";
}

std::vector<CutSummary> summarise_every_cut(unsigned random_seeds, const std::function<std::string(const Cut &)> &run) {
    std::vector<CutSummary> out;
    for (const Cut &cut : every_cut(random_seeds)) out.push_back({cut, run(cut)});
    return out;
}

} // namespace helix::plugin_testkit
