#include "plugins/anthropic/anthropic_call.hpp"

#include "plugins/anthropic/anthropic_request.hpp"
#include "plugins/common/json_access.hpp"
#include "plugins/common/structured_output.hpp"

#include <boost/json.hpp>

namespace helix::anthropic {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
using helix::plugin_common::UpstreamErrorDetail;

constexpr std::int64_t kMaxBlockIndex = 4095;

UpstreamErrorDetail detail_of(const json::value *error) {
    UpstreamErrorDetail d;
    if (error != nullptr) {
        if (const auto *e = error->if_object()) {
            d.message = std::string(pj::string_or_empty(*e, "message"));
            d.code = std::string(pj::string_or_empty(*e, "type"));
        } else if (error->is_string()) {
            d.message = std::string(error->get_string());
        }
    }
    return d;
}

// The error object of an Anthropic error body {"type":"error","error":{...}}.
const json::value *error_member(const json::value &body) {
    const auto *o = body.if_object();
    return o != nullptr ? o->if_contains("error") : nullptr;
}

bool spend_limit_reached(const json::value *error) {
    const auto *e = error != nullptr ? error->if_object() : nullptr;
    const auto *details = e != nullptr ? pj::object_member(*e, "details") : nullptr;
    return details != nullptr && pj::string_or_empty(*details, "error_code") == "enforced_spend_limit_reached";
}

} // namespace

helix_finish_reason map_stop_reason(std::string_view reason) noexcept {
    if (reason == "max_tokens" || reason == "model_context_window_exceeded") return HELIX_FINISH_LENGTH;
    if (reason == "tool_use") return HELIX_FINISH_TOOL_CALLS;
    if (reason == "refusal") return HELIX_FINISH_CONTENT_FILTER;
    return HELIX_FINISH_STOP; // end_turn, stop_sequence, pause_turn and anything newer
}

int status_of_error_type(std::string_view type) noexcept {
    if (type == "invalid_request_error") return 400;
    if (type == "authentication_error") return 401;
    if (type == "billing_error") return 402;
    if (type == "permission_error") return 403;
    if (type == "not_found_error") return 404;
    if (type == "request_too_large") return 413;
    if (type == "rate_limit_error") return 429;
    if (type == "api_error") return 500;
    if (type == "timeout_error") return 504;
    if (type == "overloaded_error") return 529;
    return 0;
}

void throw_anthropic_error(const json::value *error, std::string_view secret) {
    // An error inside a 200 (an SSE error event or an error body): status by error.type.
    UpstreamErrorDetail d = detail_of(error);
    if (d.message.empty()) d.message = "the upstream reported an error" + (d.code.empty() ? "" : " (" + d.code + ")");
    const int status = status_of_error_type(d.code);
    if (status == 0 || status == 402 || spend_limit_reached(error))
        throw helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 502, 0, d, secret);
    helix::plugin_common::ResponseInfo info;
    info.status = status;
    throw helix::plugin_common::http_error(info, d, secret);
}

helix::sdk::Error anthropic_error(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                  std::string_view secret) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::value *error = ec ? nullptr : error_member(v);
    UpstreamErrorDetail d = detail_of(error);
    if (info.status == 402 || (info.status == 429 && spend_limit_reached(error))) {
        if (d.message.empty()) d.message = "the upstream answered HTTP " + std::to_string(info.status);
        d.message = "the gateway's Anthropic account cannot be billed (not retryable): " + d.message;
        return helix::plugin_common::make_error(HELIX_ERR_UPSTREAM, 502, 0, d, secret);
    }
    return helix::plugin_common::http_error(info, d, secret);
}

AnthropicCall::AnthropicCall(helix::plugin_common::DecoderOptions options, std::string secret, bool json_tool)
    : ResponseDecoder(std::move(options)), secret_(std::move(secret)), json_tool_(json_tool) {}

// A turn that only called the answer tool ended as an answer.
helix_finish_reason AnthropicCall::finish_reason(std::string_view stop_reason) const noexcept {
    if (stop_reason == "tool_use" && json_answered_ && tool_count_ == 0) return HELIX_FINISH_STOP;
    return map_stop_reason(stop_reason);
}

void AnthropicCall::throw_error_object(const json::value *error) const {
    throw_anthropic_error(error, secret_);
}

AnthropicCall::Block &AnthropicCall::block(const json::object &event, bool create) {
    const auto index = pj::int_member(event, "index");
    if (!index || *index < 0 || *index > kMaxBlockIndex)
        throw_protocol_error("the upstream sent a content block event without a valid index");
    const auto i = static_cast<std::size_t>(*index);
    if (i >= blocks_.size()) {
        if (!create) throw_protocol_error("the upstream sent a delta for a content block it never started");
        blocks_.resize(i + 1);
    }
    return blocks_[i];
}

// A thinking block's text and signature, or a redacted_thinking block's data,
// as one reasoning event (none when the block is still empty).
void AnthropicCall::thinking_block(const json::object &block, std::uint32_t index, helix::sdk::EventSink &events) {
    const std::string_view text = pj::string_or_empty(block, "thinking");
    const std::string_view signature = pj::string_or_empty(block, "signature");
    const std::string_view data = pj::string_or_empty(block, "data");
    if (pj::string_or_empty(block, "type") == "redacted_thinking") {
        if (data.empty()) throw_protocol_error("the upstream sent a redacted_thinking block without data");
        events.reasoning(0, index, {}, {}, data, kReasoningFormat);
    } else if (!text.empty() || !signature.empty()) {
        events.reasoning(0, index, text, signature, {}, kReasoningFormat);
    }
}

void AnthropicCall::read_usage(const json::object &usage) {
    if (const auto v = pj::int_member(usage, "input_tokens")) input_tokens_ = *v;
    if (const auto v = pj::int_member(usage, "output_tokens")) output_tokens_ = *v;
    if (const auto v = pj::int_member(usage, "cache_read_input_tokens")) cache_read_ = *v;
    if (const auto v = pj::int_member(usage, "cache_creation_input_tokens")) cache_creation_ = *v;
}

void AnthropicCall::emit_usage(helix::sdk::EventSink &events) const {
    // Anthropic's input_tokens excludes the cache; added without overflow.
    using helix::sdk::non_negative;
    using helix::sdk::saturating_add;
    helix::sdk::Usage u;
    u.prompt_tokens = saturating_add(saturating_add(non_negative(input_tokens_), non_negative(cache_read_)),
                                     non_negative(cache_creation_));
    u.completion_tokens = non_negative(output_tokens_);
    u.cached_tokens = non_negative(cache_read_);
    u.cache_write_tokens = non_negative(cache_creation_);
    events.usage(u);
}

void AnthropicCall::on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) {
    if (stopped_) return; // nothing counts after message_stop
    unsigned char buffer[8192];
    json::monotonic_resource mr(buffer);
    const json::value v = helix::plugin_common::parse_json_or_throw(event.data, "stream event", &mr);
    const json::object *o = v.if_object();
    if (o == nullptr) throw_protocol_error("the upstream sent a stream event that is not a JSON object");
    const std::string_view type = event.event.empty() ? pj::string_or_empty(*o, "type") : event.event;

    if (type == "ping") return;
    if (type == "error") throw_error_object(o->if_contains("error"));
    if (type == "message_start") {
        const json::object *message = pj::object_member(*o, "message");
        if (message == nullptr) throw_protocol_error("the upstream's message_start has no message");
        if (!started_) {
            started_ = true;
            events.start(pj::string_or_empty(*message, "id"), pj::string_or_empty(*message, "model"));
        }
        if (const json::object *usage = pj::object_member(*message, "usage")) read_usage(*usage);
        return;
    }
    if (type == "content_block_start") {
        Block &b = block(*o, true);
        const json::object *content = pj::object_member(*o, "content_block");
        if (content == nullptr) throw_protocol_error("the upstream's content_block_start has no content_block");
        const std::string_view kind = pj::string_or_empty(*content, "type");
        if (kind == "text") {
            b.kind = BlockKind::text;
            if (const auto text = pj::string_member(*content, "text"); text && !text->empty()) events.text(0, *text);
        } else if (kind == "tool_use" && json_tool_ &&
                   pj::string_or_empty(*content, "name") == helix::plugin_common::kJsonToolName) {
            b.kind = BlockKind::json;
            json_answered_ = true;
            if (const json::object *input = pj::object_member(*content, "input"); input != nullptr && !input->empty()) {
                b.has_arguments = true;
                events.text(0, json::serialize(*input));
            }
        } else if (kind == "tool_use") {
            b.kind = BlockKind::tool;
            b.tool_index = tool_count_++;
            events.tool_call(0, b.tool_index, pj::string_or_empty(*content, "id"), pj::string_or_empty(*content, "name"), {});
            // Streams start tool input as {} and send it as input_json_delta; a
            // non-empty input here (not seen in practice) is the whole input.
            if (const json::object *input = pj::object_member(*content, "input"); input != nullptr && !input->empty()) {
                b.has_arguments = true;
                events.tool_call(0, b.tool_index, {}, {}, json::serialize(*input));
            }
        } else if (kind == "thinking" || kind == "redacted_thinking") {
            b.kind = BlockKind::thinking;
            b.reasoning_index = reasoning_count_++;
            thinking_block(*content, b.reasoning_index, events);
        } else {
            b.kind = BlockKind::other; // server tools, ...
        }
        return;
    }
    if (type == "content_block_delta") {
        Block &b = block(*o, false);
        const json::object *delta = pj::object_member(*o, "delta");
        if (delta == nullptr) throw_protocol_error("the upstream's content_block_delta has no delta");
        const std::string_view kind = pj::string_or_empty(*delta, "type");
        if (kind == "text_delta") {
            if (const auto text = pj::string_member(*delta, "text"); text && !text->empty()) events.text(0, *text);
        } else if (kind == "input_json_delta" && b.kind == BlockKind::json) {
            if (const auto part = pj::string_member(*delta, "partial_json"); part && !part->empty()) {
                b.has_arguments = true;
                events.text(0, *part);
            }
        } else if (kind == "input_json_delta") {
            if (b.kind != BlockKind::tool) throw_protocol_error("the upstream sent tool input for a block that is not a tool_use");
            if (const auto part = pj::string_member(*delta, "partial_json"); part && !part->empty()) {
                b.has_arguments = true;
                events.tool_call(0, b.tool_index, {}, {}, *part);
            }
        } else if (kind == "thinking_delta" || kind == "signature_delta") {
            if (b.kind != BlockKind::thinking) throw_protocol_error("the upstream sent thinking for a block that is not a thinking block");
            const auto text = pj::string_member(*delta, "thinking");
            const auto signature = pj::string_member(*delta, "signature");
            if ((text && !text->empty()) || (signature && !signature->empty()))
                events.reasoning(0, b.reasoning_index, text.value_or(""), signature.value_or(""), {}, kReasoningFormat);
        }
        return; // citations_delta: not part of the OpenAI shape
    }
    if (type == "content_block_stop") {
        Block &b = block(*o, false);
        if (b.kind == BlockKind::tool && !b.has_arguments) {
            b.has_arguments = true;
            events.tool_call(0, b.tool_index, {}, {}, "{}");
        }
        if (b.kind == BlockKind::json && !b.has_arguments) {
            b.has_arguments = true;
            events.text(0, "{}");
        }
        return;
    }
    if (type == "message_delta") {
        if (const json::object *delta = pj::object_member(*o, "delta"))
            if (const auto reason = pj::string_member(*delta, "stop_reason")) stop_reason_ = std::string(*reason);
        if (const json::object *usage = pj::object_member(*o, "usage")) read_usage(*usage);
        if (stop_reason_ && !finished_) {
            finished_ = true;
            events.finish(0, finish_reason(*stop_reason_));
        }
        emit_usage(events);
        return;
    }
    if (type == "message_stop") {
        stopped_ = true;
        if (!finished_) {
            finished_ = true;
            events.finish(0, finish_reason(stop_reason_.value_or("end_turn")));
            emit_usage(events);
        }
        return;
    }
    // Unknown event types are skipped, as Anthropic's SDK does.
}

void AnthropicCall::on_stream_end(helix::sdk::EventSink &) {
    if (!stopped_) {
        throw_protocol_error(started_ ? "the upstream's stream ended before message_stop (truncated response)"
                                      : "the upstream's stream ended without any message");
    }
}

void AnthropicCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's response body is not a JSON object");
    if (pj::string_or_empty(*o, "type") == "error") throw_error_object(o->if_contains("error"));
    const json::array *content = pj::array_member(*o, "content");
    if (content == nullptr) throw_protocol_error("the upstream's response has no \"content\" list");
    events.start(pj::string_or_empty(*o, "id"), pj::string_or_empty(*o, "model"));
    std::uint32_t tool_index = 0;
    std::uint32_t reasoning_index = 0;
    for (const json::value &bv : *content) {
        const json::object *b = bv.if_object();
        if (b == nullptr) throw_protocol_error("the upstream sent a content block that is not a JSON object");
        const std::string_view kind = pj::string_or_empty(*b, "type");
        if (kind == "text") {
            if (const auto text = pj::string_member(*b, "text"); text && !text->empty()) events.text(0, *text);
        } else if (kind == "tool_use" && json_tool_ && pj::string_or_empty(*b, "name") == helix::plugin_common::kJsonToolName) {
            const json::value *input = b->if_contains("input");
            json_answered_ = true;
            events.text(0, input != nullptr && input->is_object() ? json::serialize(*input) : "{}");
        } else if (kind == "tool_use") {
            const json::value *input = b->if_contains("input");
            const std::string arguments = input != nullptr && !input->is_null() ? json::serialize(*input) : "{}";
            events.tool_call(0, tool_index++, pj::string_or_empty(*b, "id"), pj::string_or_empty(*b, "name"), arguments);
        } else if (kind == "thinking" || kind == "redacted_thinking") {
            thinking_block(*b, reasoning_index++, events);
        }
    }
    events.finish(0, finish_reason(pj::string_or_empty(*o, "stop_reason")));
    if (const json::object *usage = pj::object_member(*o, "usage")) read_usage(*usage);
    emit_usage(events);
}

helix::sdk::Error AnthropicCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return anthropic_error(info, body, secret_);
}

} // namespace helix::anthropic
