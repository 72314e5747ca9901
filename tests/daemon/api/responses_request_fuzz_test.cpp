// Fuzz target for the /v1/responses and /v1/completions parsers (libFuzzer
// with HELIX_FUZZ=ON; the corpus in corpus/responses_request_fuzz replays in
// every build). The input is a client's body. Checked on every input: no
// crash, over-read or leak; an invalid body is a 4xx/5xx with a message and
// a JSON error body; a valid one gives a chat request with at least one
// message, the client's body kept verbatim, and an echo that serialises.
#include "daemon/api/completions_request.hpp"
#include "daemon/api/responses_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <system_error>
#include <variant>

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_error(const helix::api::ApiError &e) {
    check(e.status >= 400 && e.status < 600 && !e.message.empty());
    std::error_code ec;
    boost::json::parse(helix::api::error_body(e), ec);
    check(!ec);
}

void check_chat(const helix::api::ChatRequest &chat) {
    const helix_chat_request &v = chat.view();
    check(v.message_count >= 1 && v.messages != nullptr);
    for (std::size_t i = 0; i < v.message_count; ++i) check(v.messages[i] != nullptr);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const std::string body(reinterpret_cast<const char *>(data), size);
    auto responses = helix::api::parse_responses_request(body);
    if (const auto *e = std::get_if<helix::api::ApiError>(&responses)) {
        check_error(*e);
    } else {
        const auto &r = std::get<helix::api::ResponsesRequest>(responses);
        check(r.body == body);
        check_chat(r.chat);
        check(!boost::json::serialize(r.echoed).empty());
    }
    auto completions = helix::api::parse_completions_request(body);
    if (const auto *e = std::get_if<helix::api::ApiError>(&completions)) {
        check_error(*e);
    } else {
        const auto &c = std::get<helix::api::CompletionsRequest>(completions);
        check(c.body == body);
        check_chat(c.chat);
    }
    return 0;
}
