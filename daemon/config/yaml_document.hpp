#pragma once
// Parses a configuration file's text into its one YAML document.

#include "daemon/config/load_context.hpp"

#include <string_view>

namespace helix::config {

// The root of the first document (null for an empty file). A syntax error
// throws ConfigError; a second document is reported to `ctx`.
//
// yaml-cpp 0.7's LoadAll never returns, allocating without bound, on some
// malformed files such as ", a:" (jbeder/yaml-cpp#1040, fixed upstream by
// #1319): its parser reports the same empty document again and again. So the
// first document is read with Load, and an event handler that stops at the
// second document only says whether one follows.
YAML::Node parse_single_document(std::string_view yaml, LoadContext &ctx);

} // namespace helix::config
