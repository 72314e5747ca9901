#pragma once
// How a reply body is cut into decode() calls. TCP hands the host bytes in
// any pieces, so a decoder must give the same events whatever the cut.

#include <string_view>
#include <vector>

namespace helix::plugin_testkit {

enum class Chunking { whole, bytes, random };

// Views into `body`: all of it, one byte each, or random sizes of 1 to 23
// bytes (the same pieces for the same seed).
std::vector<std::string_view> split(std::string_view body, Chunking how, unsigned seed = 1);

} // namespace helix::plugin_testkit
