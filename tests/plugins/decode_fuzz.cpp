// Fuzz target, built once per provider plugin (linked with its plugin.cpp):
// any upstream status and body bytes must decode to events or an error,
// never a crash, and the outcome must not depend on how the body is split.
//
// Input: byte 0 picks the request and response shape (bit 0: the request
// streams; bits 1-2: 200 event-stream, 200 JSON, 200 without content type,
// 429 with Retry-After); byte 1 seeds the random chunking; the rest is the body.
#include "plugin_test_support.hpp"

#include <cstdlib>

namespace {

const char *config() {
    // Each plugin ignores nothing: give only the key they share.
    return R"({"api_key":"sk-fuzz-0123456789"})";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace helix::test;
    if (size < 2) return 0;
    static Harness harness(config());
    if (harness.plugin() == nullptr) std::abort();
    const std::uint8_t shape = data[0];
    const unsigned seed = data[1];
    const std::string_view body(reinterpret_cast<const char *>(data + 2), size - 2);

    Request request;
    request.model = "fuzz-model";
    request.messages = {Message::user("hi")};
    request.stream = (shape & 1u) != 0;
    int status = 200;
    std::vector<Header> headers;
    switch ((shape >> 1) & 3u) {
    case 0:
        headers = sse_headers();
        break;
    case 1:
        headers = json_headers();
        break;
    case 2:
        break;
    default:
        status = 429;
        headers = {{"retry-after", "3"}, {"content-type", "application/json"}};
        break;
    }
    const Outcome whole = harness.run(request, status, headers, body, Chunking::whole);
    const Outcome random = harness.run(request, status, headers, body, Chunking::random, seed);
    if (whole.summary() != random.summary()) std::abort();
    if (whole.status > HELIX_ERR_INTERNAL) std::abort();
    return 0;
}
