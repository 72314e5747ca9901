// Fuzz target for the aws_bedrock decoder (libFuzzer with HELIX_FUZZ=ON; the
// corpus in corpus/decode_fuzz replays in every build): any upstream status
// and body bytes decode to events or an error, never a crash, and the outcome
// does not depend on how the body is split.
//
// Input: byte 0 picks the request and response shape (bit 0: the request
// streams; bits 1-2: 200 application/vnd.amazon.eventstream, 200 JSON, 200
// without content type, an error status; bits 3-4: which error status and
// x-amzn-ErrorType; bit 5: "framed": the rest is not sent as is but as
// valid event-stream frames, so that mutations reach the event handling past
// the CRCs: records separated by 0x1E, each "<event-type>\n<payload>", an
// event type starting with '!' making an exception frame); byte 1 seeds the
// random chunking; the rest is the body.
#include "../plugin_test_support.hpp"

#include "plugins/aws_common/event_stream.hpp"

#include <cstdlib>

namespace {

std::string framed(std::string_view records) {
    std::string out;
    while (!records.empty()) {
        const std::size_t end = records.find('\x1e');
        const std::string_view record = records.substr(0, end);
        records.remove_prefix(end == std::string_view::npos ? records.size() : end + 1);
        const std::size_t nl = record.find('\n');
        const std::string_view type = record.substr(0, nl);
        const std::string payload(nl == std::string_view::npos ? std::string_view() : record.substr(nl + 1));
        const helix::aws::Message m = !type.empty() && type.front() == '!'
                                          ? helix::aws::make_exception_message(type.substr(1), payload)
                                          : helix::aws::make_event_message(type, payload);
        if (helix::aws::encode_message(m, out) != helix::aws::EncodeError::none) continue;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace helix::test;
    if (size < 2) return 0;
    static Harness harness(R"({"access_key_id":"AKIDFUZZ","secret_access_key":"fuzz-secret-0123456789",
                               "session_token":"fuzz-session-token"})");
    if (harness.plugin() == nullptr) std::abort();
    const std::uint8_t shape = data[0];
    const unsigned seed = data[1];
    const std::string_view input(reinterpret_cast<const char *>(data + 2), size - 2);
    const std::string encoded = (shape & 0x20u) != 0 ? framed(input) : std::string();
    const std::string_view body = (shape & 0x20u) != 0 ? std::string_view(encoded) : input;

    Request request;
    request.model = "anthropic.claude-3-sonnet";
    request.messages = {Message::user("hi")};
    request.stream = (shape & 1u) != 0;
    int status = 200;
    std::vector<Header> headers{{"x-amzn-RequestId", "fuzz-request"}};
    switch ((shape >> 1) & 3u) {
    case 0:
        headers.push_back({"content-type", "application/vnd.amazon.eventstream"});
        break;
    case 1:
        headers.push_back({"content-type", "application/json"});
        break;
    case 2:
        break;
    default: {
        static const int statuses[] = {429, 400, 403, 503};
        static const char *types[] = {"ThrottlingException", "ValidationException", "ExpiredTokenException",
                                      "ServiceUnavailableException:http://internal"};
        const unsigned pick = (shape >> 3) & 3u;
        status = statuses[pick];
        headers.push_back({"content-type", "application/json"});
        headers.push_back({"x-amzn-ErrorType", types[pick]});
        headers.push_back({"retry-after", "2"});
        break;
    }
    }
    const Outcome whole = harness.run(request, status, headers, body, Chunking::whole);
    const Outcome random = harness.run(request, status, headers, body, Chunking::random, seed);
    if (whole.summary() != random.summary()) std::abort();
    if (body.size() <= 2048) {
        const Outcome bytes = harness.run(request, status, headers, body, Chunking::bytes);
        if (whole.summary() != bytes.summary()) std::abort();
    }
    if (whole.status > HELIX_ERR_INTERNAL || whole.status == HELIX_ERR_INTERNAL) std::abort();
    if (whole.message.find("fuzz-secret-0123456789") != std::string::npos ||
        whole.message.find("fuzz-session-token") != std::string::npos)
        std::abort();
    return 0;
}
