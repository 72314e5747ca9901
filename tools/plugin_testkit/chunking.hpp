#pragma once
// How a reply body is cut into decode() calls. TCP hands the host bytes in
// any pieces, so a decoder must give the same events whatever the cut.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::plugin_testkit {

enum class Chunking { whole, bytes, random };

// Views into `body`: all of it, one byte each, or random sizes of 1 to 23
// bytes (the same pieces for the same seed).
std::vector<std::string_view> split(std::string_view body, Chunking how, unsigned seed = 1);

// One way of cutting a reply: how, and the seed of random pieces.
struct Cut {
    Chunking how = Chunking::whole;
    unsigned seed = 1;
};

// Every way a check feeds one reply: whole, byte by byte, then in random
// pieces for each seed from 1 to random_seeds.
std::vector<Cut> every_cut(unsigned random_seeds);

// "whole", "byte by byte", "in random pieces (seed 3)".
std::string cut_name(const Cut &cut);

// What one run of a reply cut one way summarised to.
struct CutSummary {
    Cut cut;
    std::string summary;
};

// Runs one reply once for each of every_cut(random_seeds), `run` feeding it
// cut that way and returning what the run gave in a form independent of the
// cut; the summaries in that order, the whole run's first.
std::vector<CutSummary> summarise_every_cut(unsigned random_seeds, const std::function<std::string(const Cut &)> &run);

} // namespace helix::plugin_testkit
