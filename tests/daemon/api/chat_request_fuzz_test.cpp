// Fuzz target for the chat request parser (libFuzzer with HELIX_FUZZ=ON; the
// corpus in corpus/chat_request_fuzz replays in every build). The input is a
// client's POST /v1/chat/completions body. Checked on every input:
//   * no crash, no over-read, no leak (ASan/UBSan in the libFuzzer build);
//   * an invalid body is a 400 with a message, and its error body is JSON;
//   * a valid body gives a request whose every view points at live bytes
//     (each is read through, so ASan sees a dangling one), with at least one
//     message, n in 1..kMaxN, at most kMaxStop stops, the body kept verbatim;
//   * both overloads agree, and moving the request keeps its view valid.
#include "daemon/api/chat_request.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

std::string_view sv(helix_str s) {
    check(s.data != nullptr || s.len == 0);
    return s.len == 0 ? std::string_view() : std::string_view(s.data, s.len);
}

// Reads every byte a view points to; the sum keeps the reads from being optimised away.
std::size_t touch(helix_str s) {
    std::size_t sum = 0;
    for (const char c : sv(s)) sum += static_cast<unsigned char>(c);
    return sum;
}

std::size_t walk(const helix_chat_request &r) {
    check(r.struct_size == sizeof r);
    std::size_t sum = touch(r.model) + touch(r.tool_choice_name) + touch(r.response_schema_json) + touch(r.user) +
                      touch(r.original_body);
    check(r.message_count >= 1 && r.messages != nullptr);
    for (std::size_t i = 0; i < r.message_count; ++i) {
        const helix_message &m = *r.messages[i];
        sum += touch(m.name) + touch(m.text) + touch(m.tool_call_id);
        check(m.part_count == 0 || m.parts != nullptr);
        for (std::size_t p = 0; p < m.part_count; ++p)
            sum += touch(m.parts[p]->text) + touch(m.parts[p]->image_url) + touch(m.parts[p]->detail);
        check(m.tool_call_count == 0 || m.tool_calls != nullptr);
        for (std::size_t t = 0; t < m.tool_call_count; ++t)
            sum += touch(m.tool_calls[t]->id) + touch(m.tool_calls[t]->name) + touch(m.tool_calls[t]->arguments);
    }
    check(r.tool_count == 0 || r.tools != nullptr);
    for (std::size_t t = 0; t < r.tool_count; ++t) {
        sum += touch(r.tools[t]->name) + touch(r.tools[t]->description) + touch(r.tools[t]->parameters_json);
        // Tool parameters are JSON text the parser wrote itself.
        if (r.tools[t]->parameters_json.len > 0) {
            std::error_code ec;
            boost::json::parse(sv(r.tools[t]->parameters_json), ec);
            check(!ec);
        }
    }
    check(r.stop_count <= helix::api::kMaxStop && (r.stop_count == 0 || r.stop != nullptr));
    for (std::size_t s = 0; s < r.stop_count; ++s) sum += touch(r.stop[s]);
    check(r.n >= 1 && r.n <= helix::api::kMaxN);
    check(r.stream == 0 || r.stream == 1);
    return sum;
}

// A summary that two parses of the same body must share.
std::string outcome(const helix::api::ParseResult &result) {
    if (const auto *e = std::get_if<helix::api::ApiError>(&result))
        return std::to_string(e->status) + ' ' + e->type + ' ' + e->param + ' ' + e->code + ' ' + e->message;
    const helix_chat_request &v = std::get<helix::api::ChatRequest>(result).view();
    return "ok " + std::string(sv(v.model)) + ' ' + std::to_string(v.message_count) + ' ' + std::to_string(walk(v));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    using namespace helix::api;
    const std::string_view body(reinterpret_cast<const char *>(data), size);

    ParseResult viewed = parse_chat_request(body);
    if (auto *e = std::get_if<ApiError>(&viewed)) {
        check(e->status == 400 && !e->message.empty());
        std::error_code ec;
        boost::json::parse(error_body(*e), ec);
        check(!ec);
    } else {
        ChatRequest &request = std::get<ChatRequest>(viewed);
        check(request.body() == body && sv(request.view().original_body) == body);
        check(request.model() == sv(request.view().model));
        check(request.n() == request.view().n && request.stream() == (request.view().stream == 1));
        check(!request.include_usage() || request.stream());
        const std::size_t sum = walk(request.view());
        const std::string client_model(request.model());
        ChatRequest moved = std::move(request);
        check(walk(moved.view()) == sum);
        moved.set_upstream_model("fuzz/upstream-model");
        check(moved.model() == client_model);
        check(moved.upstream_model() == "fuzz/upstream-model" && sv(moved.view().model) == "fuzz/upstream-model");
        walk(moved.view());
    }
    const ParseResult owned = parse_chat_request(std::string(body));
    check(outcome(owned) == outcome(parse_chat_request(body)));
    return 0;
}
