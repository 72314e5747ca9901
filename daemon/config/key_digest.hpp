#pragma once
// Client API keys are kept only as SHA-256 digests from the moment they are
// read: the configuration never holds a key's text, so neither a memory dump
// nor a stray log of the configuration reveals one.

#include <array>
#include <string_view>

namespace helix::config {

using KeyDigest = std::array<unsigned char, 32>;

KeyDigest digest_of_key(std::string_view key);

} // namespace helix::config
