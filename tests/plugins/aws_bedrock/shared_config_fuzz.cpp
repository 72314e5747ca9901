// Fuzz target for the shared credentials/config file parser (libFuzzer with
// HELIX_FUZZ=ON; corpus/shared_config replays in every build). Byte 0 picks
// the file kind (bit 1: the config file's sso-session sections, else bit 0:
// config or credentials); the rest is the file. Checked on every input: no crash;
// every profile name and key is non-empty and trimmed, keys have no
// uppercase ASCII, values are trimmed and non-empty; parsing is deterministic;
// a profile of the parse is what merge_profile() finds.
#include "plugins/aws_bedrock/shared_config.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool trimmed(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
    return !s.empty() && !blank(s.front()) && !blank(s.back());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace helix::aws_bedrock;
    if (size < 1) return 0;
    const SharedFileKind kind = (data[0] & 2u) != 0   ? SharedFileKind::sso_sessions
                                : (data[0] & 1u) != 0 ? SharedFileKind::config
                                                      : SharedFileKind::credentials;
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    const Profiles first = parse_shared_file(text, kind);
    check(first == parse_shared_file(text, kind));
    for (const auto &[name, values] : first) {
        check(trimmed(name));
        for (const auto &[key, value] : values) {
            check(trimmed(key) && trimmed(value));
            for (const char c : key) check(!(c >= 'A' && c <= 'Z'));
            check(key.find('\n') == std::string::npos && value.find('\n') == std::string::npos);
        }
        const auto merged = kind == SharedFileKind::credentials ? merge_profile(&first, nullptr, name)
                                                                : merge_profile(nullptr, &first, name);
        check(merged.has_value() && *merged == values);
    }
    return 0;
}
