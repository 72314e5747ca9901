// Fuzz target, built once per provider plugin (linked with its plugin.cpp):
// any upstream status and body bytes must decode to events or an error,
// never a crash nor an internal error, the outcome must not depend on how
// the body is split, and the configured key never appears in an error.
//
// Input: byte 0 picks the request and response shape (bit 0: the request
// streams; bits 1-2: 200 event-stream, 200 JSON, 200 without content type,
// an error status; bits 3-4: which error status: 429 with Retry-After, 400,
// 401, 503 with retry-after-ms); bit 5: for gcp-vertex, a :predict model
// (text-bison) instead of Gemini; bit 6: for gcp-vertex, a Llama model (the
// OpenAI-compatible endpoint, Google's errors); byte 1 seeds the random
// chunking; the rest is the body.
//
// The plugin's settings hold kSecret as its key: an api_key only for openai
// and anthropic, plus the endpoint that azure-openai (HELIX_DECODE_FUZZ_AZURE)
// needs; gcp-vertex (HELIX_DECODE_FUZZ_VERTEX) takes it as a fixed access token.
#include "plugin_test_support.hpp"

#include <cstdlib>

namespace {

constexpr std::string_view kSecret = "sk-fuzz-0123456789";

#if defined(HELIX_DECODE_FUZZ_AZURE)
const char *config() { return R"({"endpoint":"https://res.openai.azure.com","api_key":"sk-fuzz-0123456789"})"; }
std::string model(std::uint8_t) { return "fuzz-model"; }
#elif defined(HELIX_DECODE_FUZZ_VERTEX)
const char *config() { return R"({"project_id":"fuzz-project","access_token":"sk-fuzz-0123456789"})"; }
std::string model(std::uint8_t shape) {
    if ((shape & 0x40u) != 0) return "meta/llama-3.3-70b-instruct-maas";
    return (shape & 0x20u) != 0 ? "text-bison" : "gemini-1.5-pro";
}
#else
const char *config() { return R"({"api_key":"sk-fuzz-0123456789"})"; }
std::string model(std::uint8_t) { return "fuzz-model"; }
#endif

// The summary without the parts that differ between two calls by design:
// tool call ids a plugin makes up when the upstream gives none (gcp-vertex
// without a responseId: "call_<time><counter>_...") are unique per call.
std::string comparable(std::string summary) {
    static constexpr std::string_view kMadeUp = "id=call_";
    for (std::size_t at = summary.find(kMadeUp); at != std::string::npos; at = summary.find(kMadeUp, at + 1)) {
        const std::size_t digits = at + kMadeUp.size();
        std::size_t end = digits;
        while (end < summary.size() && summary[end] >= '0' && summary[end] <= '9') ++end;
        summary.replace(digits, end - digits, "#");
    }
    return summary;
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
    request.model = model(shape);
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
    default: {
        static const int statuses[] = {429, 400, 401, 503};
        const unsigned pick = (shape >> 3) & 3u;
        status = statuses[pick];
        headers = {{"retry-after", "3"}, {"content-type", "application/json"}};
        if (pick == 3) headers.push_back({"retry-after-ms", "1500"});
        break;
    }
    }
    const Outcome whole = harness.run(request, status, headers, body, Chunking::whole);
    const Outcome random = harness.run(request, status, headers, body, Chunking::random, seed);
    if (comparable(whole.summary()) != comparable(random.summary())) std::abort();
    if (whole.status >= HELIX_ERR_INTERNAL) std::abort();
    if (body.find(kSecret) == std::string_view::npos && whole.summary().find(kSecret) != std::string::npos)
        std::abort();
    return 0;
}
