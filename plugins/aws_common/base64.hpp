#pragma once
// Standard base64 (RFC 4648, with padding) decoding, as AWS sends blobs in
// JSON (InvokeModelWithResponseStream's chunk bytes).

#include <optional>
#include <string>
#include <string_view>

namespace helix::aws {

// The bytes, or nullopt for text that is not padded base64.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace helix::aws
