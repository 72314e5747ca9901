// Fuzz target for Entra ID token replies (client credentials and managed
// identity; libFuzzer with HELIX_FUZZ=ON, corpus/token_reply replays in every
// build). The input is the reply body. Checked: a token is non-empty with a
// positive expiry time, or the reply is an auth error that does not quote
// the body; no overflow (UBSan) whatever the expiry numbers.
#include "plugins/azure_openai/entra_token_source.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

constexpr std::int64_t kNowMs = 1'767'225'600'000; // 2026-01-01

void check(bool condition) {
    if (!condition) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char *>(data), size);
    try {
        const auto token = helix::azure_openai::parse_token_response(body, kNowMs);
        check(!token.value.empty());
        check(token.expires_at_ms > 0);
    } catch (const helix::sdk::Error &e) {
        check(e.status() == HELIX_ERR_AUTH);
        check(std::string_view(e.what()).find("fuzzTOKEN") == std::string_view::npos);
    }
    return 0;
}
