#pragma once
// The request line's bytes as they may appear in a log line or an error
// body: a client can send any byte in its request URI (and method), and
// neither JSON nor a terminal should receive invalid UTF-8 or control
// characters from it. Bytes outside printable ASCII are percent-encoded, and
// the text is cut at `max_bytes` (marked with "...").

#include <cstddef>
#include <string>
#include <string_view>

namespace helix::http {

std::string printable_uri(std::string_view raw, std::size_t max_bytes = 512);

} // namespace helix::http
