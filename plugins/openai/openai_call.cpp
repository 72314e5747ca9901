#include "plugins/openai/openai_call.hpp"

#include "plugins/common/json_access.hpp"

#include <boost/json.hpp>

namespace helix::openai {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
using helix::plugin_common::UpstreamErrorDetail;

// Choice and tool indexes beyond this are a broken upstream, not a reason to allocate.
constexpr std::int64_t kMaxIndex = 1023;

std::uint32_t index_of(const json::object &o, std::size_t position, const char *what) {
    const auto v = pj::int_member(o, "index");
    const std::int64_t i = v ? *v : static_cast<std::int64_t>(position);
    if (i < 0 || i > kMaxIndex) throw_protocol_error(std::string("the upstream sent an out-of-range ") + what + " index");
    return static_cast<std::uint32_t>(i);
}

// error.code may be a string, a number (Azure: "429" or 429) or null.
std::string code_text(const json::object &error) {
    const json::value *c = error.if_contains("code");
    if (c != nullptr) {
        if (c->is_string()) return std::string(c->get_string());
        if (c->is_int64()) return std::to_string(c->get_int64());
    }
    return std::string(pj::string_or_empty(error, "type"));
}

UpstreamErrorDetail detail_of(const json::value &error_member) {
    UpstreamErrorDetail d;
    if (const auto *e = error_member.if_object()) {
        d.message = std::string(pj::string_or_empty(*e, "message"));
        d.code = code_text(*e);
        d.param = std::string(pj::string_or_empty(*e, "param"));
    } else if (error_member.is_string()) {
        d.message = std::string(error_member.get_string());
    }
    return d;
}

bool is_quota_error(const json::value &error_member) {
    const auto *e = error_member.if_object();
    if (e == nullptr) return false;
    return pj::string_or_empty(*e, "code") == "insufficient_quota" || pj::string_or_empty(*e, "type") == "insufficient_quota";
}

void emit_usage(const json::object &usage, helix::sdk::EventSink &events) {
    std::int64_t cached = 0;
    if (const auto *details = pj::object_member(usage, "prompt_tokens_details")) cached = pj::int_or_zero(*details, "cached_tokens");
    events.usage(pj::int_or_zero(usage, "prompt_tokens"), pj::int_or_zero(usage, "completion_tokens"), cached);
}

} // namespace

helix_finish_reason map_finish_reason(std::string_view reason) noexcept {
    if (reason == "length") return HELIX_FINISH_LENGTH;
    if (reason == "tool_calls" || reason == "function_call") return HELIX_FINISH_TOOL_CALLS;
    if (reason == "content_filter") return HELIX_FINISH_CONTENT_FILTER;
    return HELIX_FINISH_STOP; // "stop" and anything newer
}

OpenAiCall::OpenAiCall(std::shared_ptr<const Settings> settings, helix::plugin_common::DecoderOptions options)
    : ResponseDecoder(std::move(options)), secret_(settings, &settings->api_key), errors_(error_from_body) {}

OpenAiCall::OpenAiCall(std::string secret, helix::plugin_common::DecoderOptions options, ErrorReader errors)
    : ResponseDecoder(std::move(options)), secret_(std::make_shared<const std::string>(std::move(secret))),
      errors_(errors ? std::move(errors) : ErrorReader(error_from_body)) {}

OpenAiCall::ChoiceState &OpenAiCall::choice(std::uint32_t index) {
    if (choices_.size() <= index) choices_.resize(index + 1);
    ChoiceState &c = choices_[index];
    c.seen = true;
    return c;
}

void OpenAiCall::throw_embedded_error(const json::value &error) const {
    UpstreamErrorDetail d = detail_of(error);
    if (d.message.empty()) d.message = "the upstream reported an error";
    const std::string &code = d.code;
    const std::string_view type = error.is_object() ? pj::string_or_empty(error.get_object(), "type") : "";
    if (is_quota_error(error))
        throw helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 502, 0, d, *secret_);
    if (code == "rate_limit_exceeded" || type == "requests" || type == "tokens" || code == "429")
        throw helix::plugin_common::make_error(HELIX_ERR_RETRY, 429, 0, d, *secret_);
    if (type == "server_error" || code == "server_error" || type == "api_error" || code == "overloaded" ||
        type == "overloaded_error" || code == "500" || code == "503")
        throw helix::plugin_common::make_error(HELIX_ERR_RETRY, 503, 0, d, *secret_);
    if (type == "invalid_request_error")
        throw helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 400, 0, d, *secret_);
    throw helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 502, 0, d, *secret_);
}

void OpenAiCall::on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) {
    if (done_) return; // nothing counts after [DONE]
    if (event.event == "error") {
        unsigned char buffer[4096];
        json::monotonic_resource mr(buffer);
        const json::value v = helix::plugin_common::parse_json_or_throw(event.data, "stream error event", &mr);
        const json::value *inner = v.is_object() ? v.get_object().if_contains("error") : nullptr;
        throw_embedded_error(inner != nullptr ? *inner : v);
    }
    if (!event.event.empty() && event.event != "message") return; // events the SDK ignores too
    if (event.data == "[DONE]") {
        done_ = true;
        if (!any_chunk_) throw_protocol_error("the upstream's stream ended ([DONE]) without any chunk");
        for (std::size_t i = 0; i < choices_.size(); ++i) {
            if (choices_[i].seen && !choices_[i].finished) {
                choices_[i].finished = true;
                events.finish(static_cast<std::uint32_t>(i), HELIX_FINISH_STOP);
            }
        }
        return;
    }
    // Chunks are small: parse them into a stack buffer, spilling to the heap only if needed.
    unsigned char buffer[8192];
    json::monotonic_resource mr(buffer);
    const json::value v = helix::plugin_common::parse_json_or_throw(event.data, "stream chunk", &mr);
    if (!v.is_object()) throw_protocol_error("the upstream sent a stream chunk that is not a JSON object");
    on_chunk(v.get_object(), events);
}

// Azure OpenAI's content-safety results travel on as they came, so that
// clients of the gateway see what clients of Azure see.
void OpenAiCall::forward_extra(const json::object &holder, std::string_view name, std::uint32_t choice,
                               helix::sdk::EventSink &events) {
    if (const json::value *v = holder.if_contains(name); v != nullptr && !v->is_null())
        events.extra(choice, name, json::serialize(*v));
}

// A choice of a text_completion (legacy completions) has its text, and
// the logprobs of that text, on itself; the logprobs go first so that a
// stream's chunk carries those of its own text.
void OpenAiCall::on_text_choice(const json::object &choice, std::uint32_t index, helix::sdk::EventSink &events) {
    const auto text = pj::string_member(choice, "text");
    if (!text) return;
    forward_extra(choice, "logprobs", index, events);
    if (!text->empty()) events.text(index, *text);
}

void OpenAiCall::on_chunk(const json::object &chunk, helix::sdk::EventSink &events) {
    if (const json::value *error = chunk.if_contains("error"); error != nullptr && !error->is_null())
        throw_embedded_error(*error);
    any_chunk_ = true;
    const json::array *choices = pj::array_member(chunk, "choices");
    const std::string_view id = pj::string_or_empty(chunk, "id");
    if (!started_ && (!id.empty() || (choices != nullptr && !choices->empty()))) {
        started_ = true;
        events.start(id, pj::string_or_empty(chunk, "model"));
    }
    // Azure sends these first, in a chunk without id or choices; they follow
    // START so that START stays the first event.
    if (const json::value *filters = chunk.if_contains("prompt_filter_results"); filters != nullptr && !filters->is_null())
        pending_prompt_filters_ = json::serialize(*filters);
    if (started_ && !pending_prompt_filters_.empty()) {
        events.extra(0, "prompt_filter_results", pending_prompt_filters_);
        pending_prompt_filters_.clear();
    }
    if (!fingerprint_sent_) {
        if (const auto fp = pj::string_member(chunk, "system_fingerprint"); fp && !fp->empty()) {
            fingerprint_sent_ = true;
            events.extra(0, "system_fingerprint", json::serialize(json::string(*fp)));
        }
    }
    if (choices != nullptr) {
        std::size_t position = 0;
        for (const json::value &cv : *choices) {
            const std::size_t pos = position++;
            const json::object *c = cv.if_object();
            if (c == nullptr) throw_protocol_error("the upstream sent a choice that is not a JSON object");
            const std::uint32_t index = index_of(*c, pos, "choice");
            ChoiceState &state = choice(index);
            on_text_choice(*c, index, events);
            if (const json::object *delta = pj::object_member(*c, "delta")) {
                if (const auto text = pj::string_member(*delta, "content"); text && !text->empty()) events.text(index, *text);
                if (const auto refusal = pj::string_member(*delta, "refusal"); refusal && !refusal->empty())
                    events.text(index, *refusal);
                if (const json::array *calls = pj::array_member(*delta, "tool_calls")) {
                    std::size_t call_position = 0;
                    for (const json::value &tv : *calls) {
                        const std::size_t cpos = call_position++;
                        const json::object *tc = tv.if_object();
                        if (tc == nullptr) throw_protocol_error("the upstream sent a tool call that is not a JSON object");
                        const std::uint32_t tool_index = index_of(*tc, cpos, "tool call");
                        std::string_view name, arguments;
                        if (const json::object *fn = pj::object_member(*tc, "function")) {
                            name = pj::string_or_empty(*fn, "name");
                            arguments = pj::string_or_empty(*fn, "arguments");
                        }
                        const std::string_view call_id = pj::string_or_empty(*tc, "id");
                        if (!call_id.empty() || !name.empty() || !arguments.empty())
                            events.tool_call(index, tool_index, call_id, name, arguments);
                    }
                }
                if (const json::object *fn = pj::object_member(*delta, "function_call")) { // legacy functions API
                    const std::string_view name = pj::string_or_empty(*fn, "name");
                    const std::string_view arguments = pj::string_or_empty(*fn, "arguments");
                    if (!name.empty() || !arguments.empty()) events.tool_call(index, 0, {}, name, arguments);
                }
            }
            if (const auto reason = pj::string_member(*c, "finish_reason"); reason && !state.finished) {
                state.finished = true;
                // Azure's verdict on the choice; sent once, with its end, not on every delta.
                forward_extra(*c, "content_filter_results", index, events);
                events.finish(index, map_finish_reason(*reason));
            }
        }
    }
    if (const json::object *usage = pj::object_member(chunk, "usage")) emit_usage(*usage, events);
}

void OpenAiCall::on_stream_end(helix::sdk::EventSink &) {
    if (!done_) {
        throw_protocol_error(any_chunk_ ? "the upstream's stream ended before \"data: [DONE]\" (truncated response)"
                                        : "the upstream's stream ended without any chunk");
    }
}

void OpenAiCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's response body is not a JSON object");
    if (const json::value *error = o->if_contains("error"); error != nullptr && !error->is_null())
        throw_embedded_error(*error);
    const json::array *choices = pj::array_member(*o, "choices");
    if (choices == nullptr) throw_protocol_error("the upstream's response has no \"choices\" list");
    events.start(pj::string_or_empty(*o, "id"), pj::string_or_empty(*o, "model"));
    if (const auto fp = pj::string_member(*o, "system_fingerprint"); fp && !fp->empty())
        events.extra(0, "system_fingerprint", json::serialize(json::string(*fp)));
    forward_extra(*o, "prompt_filter_results", 0, events);
    std::size_t position = 0;
    for (const json::value &cv : *choices) {
        const std::size_t pos = position++;
        const json::object *c = cv.if_object();
        if (c == nullptr) throw_protocol_error("the upstream sent a choice that is not a JSON object");
        const std::uint32_t index = index_of(*c, pos, "choice");
        forward_extra(*c, "content_filter_results", index, events);
        on_text_choice(*c, index, events);
        if (const json::object *message = pj::object_member(*c, "message")) {
            if (const auto text = pj::string_member(*message, "content"); text && !text->empty()) events.text(index, *text);
            if (const auto refusal = pj::string_member(*message, "refusal"); refusal && !refusal->empty())
                events.text(index, *refusal);
            std::uint32_t tool_index = 0;
            if (const json::array *calls = pj::array_member(*message, "tool_calls")) {
                for (const json::value &tv : *calls) {
                    const json::object *tc = tv.if_object();
                    if (tc == nullptr) throw_protocol_error("the upstream sent a tool call that is not a JSON object");
                    std::string_view name, arguments;
                    if (const json::object *fn = pj::object_member(*tc, "function")) {
                        name = pj::string_or_empty(*fn, "name");
                        arguments = pj::string_or_empty(*fn, "arguments");
                    }
                    events.tool_call(index, tool_index++, pj::string_or_empty(*tc, "id"), name, arguments);
                }
            }
            if (const json::object *fn = pj::object_member(*message, "function_call")) // legacy functions API
                events.tool_call(index, tool_index++, {}, pj::string_or_empty(*fn, "name"),
                                 pj::string_or_empty(*fn, "arguments"));
        }
        events.finish(index, map_finish_reason(pj::string_or_empty(*c, "finish_reason")));
    }
    if (const json::object *usage = pj::object_member(*o, "usage")) emit_usage(*usage, events);
}

helix::sdk::Error error_from_body(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                  std::string_view secret) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    UpstreamErrorDetail d;
    bool quota = false;
    if (!ec && v.is_object()) {
        if (const json::value *error = v.get_object().if_contains("error")) {
            d = detail_of(*error);
            quota = is_quota_error(*error);
        }
    }
    if (info.status == 429 && quota) {
        if (d.message.empty()) d.message = "the upstream's quota is exhausted";
        d.message = "the gateway's OpenAI account has no quota left (not retryable): " + d.message;
        return helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 502, 0, d, secret);
    }
    return helix::plugin_common::http_error(info, d, secret);
}

helix::sdk::Error OpenAiCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return errors_(info, body, *secret_);
}

} // namespace helix::openai
