#include "plugins/aws_bedrock/bedrock_call.hpp"

#include "plugins/aws_bedrock/bedrock_request.hpp"

#include "plugins/aws_common/base64.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/structured_output.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace helix::aws_bedrock {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;
using helix::plugin_common::UpstreamErrorDetail;

// Bedrock's usage: prompt tokens are the uncached ones plus cache reads and
// writes, added without overflow (the counts come from the upstream).
void emit_usage(const json::object &usage, helix::sdk::EventSink &events) {
    using helix::sdk::non_negative;
    using helix::sdk::saturating_add;
    const std::int64_t read = non_negative(pj::int_or_zero(usage, "cacheReadInputTokens"));
    const std::int64_t write = non_negative(pj::int_or_zero(usage, "cacheWriteInputTokens"));
    helix::sdk::Usage u;
    u.prompt_tokens = saturating_add(saturating_add(non_negative(pj::int_or_zero(usage, "inputTokens")), read), write);
    u.completion_tokens = non_negative(pj::int_or_zero(usage, "outputTokens"));
    u.cached_tokens = read;
    u.cache_write_tokens = write;
    events.usage(u);
}

constexpr std::int64_t kMaxBlockIndex = 4095;
constexpr std::size_t kMaxMessageChars = 400;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string without_secrets(std::string text, const helix::aws::Credentials &secrets) {
    text = helix::plugin_common::redact(std::move(text), secrets.secret_access_key);
    return helix::plugin_common::redact(std::move(text), secrets.session_token);
}

// The first line, bounded, without secrets.
std::string clean_message(std::string_view message, const helix::aws::Credentials &secrets) {
    message = message.substr(0, message.find_first_of("\r\n"));
    return without_secrets(std::string(trim(message.substr(0, kMaxMessageChars))), secrets);
}

enum class Kind { retry, upstream_status, upstream_502, auth, unknown };

struct CodeInfo {
    Kind kind;
    int status; // the status to report (0: keep the response's)
};

CodeInfo classify_code(std::string_view code) {
    const std::string c = lower(code);
    if (c == "throttlingexception" || c == "modelnotreadyexception" || c == "toomanyrequestsexception" ||
        c == "throttling")
        return {Kind::retry, 429};
    if (c == "serviceunavailableexception") return {Kind::retry, 503};
    if (c == "internalserverexception" || c == "internalfailure") return {Kind::retry, 500};
    if (c == "modelstreamerrorexception") return {Kind::retry, 503};
    if (c == "modeltimeoutexception") return {Kind::retry, 408};
    if (c == "validationexception") return {Kind::upstream_status, 400};
    if (c == "resourcenotfoundexception") return {Kind::upstream_status, 404};
    if (c == "servicequotaexceededexception" || c == "modelerrorexception") return {Kind::upstream_502, 502};
    if (c == "accessdeniedexception" || c == "expiredtokenexception" || c == "expiredtoken" ||
        c == "unrecognizedclientexception" || c == "invalidclienttokenid" || c == "invalidsignatureexception" ||
        c == "incompletesignatureexception" || c == "missingauthenticationtokenexception" ||
        c == "signaturedoesnotmatch")
        return {Kind::auth, 0};
    return {Kind::unknown, 0};
}

// Converse JSON bodies and non-2xx bodies, through the shared decoder.
class ConverseJsonDecoder final : public helix::plugin_common::ResponseDecoder {
public:
    ConverseJsonDecoder(const CallOptions &options, const BedrockCall::Shared &shared)
        : ResponseDecoder(options.decoder), options_(options), shared_(shared) {}

private:
    void on_sse_event(const helix::plugin_common::SseEvent &, helix::sdk::EventSink &) override {
        throw_protocol_error("the upstream sent server-sent events; Bedrock streams application/vnd.amazon.eventstream");
    }
    void on_stream_end(helix::sdk::EventSink &) override {
        throw_protocol_error("the upstream sent server-sent events; Bedrock streams application/vnd.amazon.eventstream");
    }

    void on_json_body(const json::value &body, helix::sdk::EventSink &events) override {
        if (options_.invoke_body) return options_.invoke_body(body, shared_.input_tokens, events);
        const json::object *o = body.if_object();
        if (o == nullptr) throw_protocol_error("the upstream's response body is not a JSON object");
        const json::object *output = pj::object_member(*o, "output");
        const json::object *message = output != nullptr ? pj::object_member(*output, "message") : nullptr;
        const json::array *content = message != nullptr ? pj::array_member(*message, "content") : nullptr;
        if (content == nullptr) throw_protocol_error("the upstream's Converse response has no output.message.content");
        events.start(shared_.request_id, options_.model);
        std::uint32_t tool_index = 0;
        std::uint32_t reasoning_index = 0;
        bool answered = false;
        for (const json::value &bv : *content) {
            const json::object *b = bv.if_object();
            if (b == nullptr) throw_protocol_error("the upstream sent a content block that is not a JSON object");
            if (const json::object *reasoning = pj::object_member(*b, "reasoningContent")) {
                // {"reasoningText":{"text","signature"}} or {"redactedContent":"<base64>"}
                if (const json::object *t = pj::object_member(*reasoning, "reasoningText")) {
                    events.reasoning(0, reasoning_index++, pj::string_or_empty(*t, "text"),
                                     pj::string_or_empty(*t, "signature"), {}, kReasoningFormat);
                } else if (const auto data = pj::string_member(*reasoning, "redactedContent"); data && !data->empty()) {
                    events.reasoning(0, reasoning_index++, {}, {}, *data, kReasoningFormat);
                }
            } else if (const auto text = pj::string_member(*b, "text")) {
                if (!text->empty()) events.text(0, *text);
            } else if (const json::object *answer = pj::object_member(*b, "toolUse");
                       answer != nullptr && options_.json_tool_as_text &&
                       pj::string_or_empty(*answer, "name") == helix::plugin_common::kJsonToolName) {
                const json::value *input = answer->if_contains("input");
                answered = true;
                events.text(0, input != nullptr && input->is_object() ? json::serialize(*input) : "{}");
            } else if (const json::object *use = pj::object_member(*b, "toolUse")) {
                const json::value *input = use->if_contains("input");
                const std::string arguments = input != nullptr && !input->is_null() ? json::serialize(*input) : "{}";
                events.tool_call(0, tool_index++, pj::string_or_empty(*use, "toolUseId"),
                                 pj::string_or_empty(*use, "name"), arguments);
            }
        }
        const std::string_view stop = pj::string_or_empty(*o, "stopReason");
        events.finish(0, stop == "tool_use" && answered && tool_index == 0 ? HELIX_FINISH_STOP : map_stop_reason(stop));
        if (const json::object *usage = pj::object_member(*o, "usage")) emit_usage(*usage, events);
    }

    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override {
        boost::system::error_code ec;
        const json::value v = json::parse(body, ec);
        const json::object *o = ec ? nullptr : v.if_object();
        std::string code = normalize_error_code(shared_.error_type);
        if (code.empty() && o != nullptr) code = normalize_error_code(pj::string_or_empty(*o, "code"));
        if (code.empty() && o != nullptr) code = normalize_error_code(pj::string_or_empty(*o, "__type"));
        code = without_secrets(std::move(code), options_.credentials);
        std::string_view message;
        if (o != nullptr) {
            message = pj::string_or_empty(*o, "message");
            if (message.empty()) message = pj::string_or_empty(*o, "Message");
        }
        const CodeInfo ci = classify_code(code);
        if (ci.kind == Kind::unknown) {
            UpstreamErrorDetail d;
            d.message = clean_message(message, options_.credentials);
            if (d.message.empty())
                d.message = "Bedrock answered HTTP " + std::to_string(info.status) + (code.empty() ? "" : " (" + code + ")");
            d.code = code;
            if (info.status == 401 || info.status == 403 || info.status == 407)
                return bedrock_error("AccessDeniedException", d.message, info.status, 0, options_.credentials);
            return helix::plugin_common::http_error(info, d, options_.credentials.secret_access_key);
        }
        return bedrock_error(code, message, info.status, info.retry_after_ms, options_.credentials);
    }

    const CallOptions &options_;
    const BedrockCall::Shared &shared_;
};

} // namespace

helix_finish_reason map_stop_reason(std::string_view reason) noexcept {
    if (reason == "max_tokens" || reason == "model_context_window_exceeded") return HELIX_FINISH_LENGTH;
    if (reason == "tool_use") return HELIX_FINISH_TOOL_CALLS;
    if (reason == "content_filtered" || reason == "guardrail_intervened") return HELIX_FINISH_CONTENT_FILTER;
    return HELIX_FINISH_STOP; // end_turn, stop_sequence, malformed_*, and anything newer
}

std::string normalize_error_code(std::string_view code) {
    code = code.substr(0, code.find(','));
    code = code.substr(0, code.find(':'));
    if (const std::size_t hash = code.find('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
    code = trim(code);
    return std::string(code.substr(0, 64));
}

bool credentials_expired(std::string_view code, std::string_view message) noexcept {
    const std::string c = lower(code);
    if (c == "expiredtokenexception" || c == "expiredtoken" || c == "unrecognizedclientexception" ||
        c == "invalidclienttokenid")
        return true;
    return message.find("security token included in the request is expired") != std::string_view::npos ||
           message.find("security token included in the request is invalid") != std::string_view::npos;
}

helix::sdk::Error bedrock_error(std::string_view code_in, std::string_view message_in, int status,
                                std::uint32_t retry_after_ms, const helix::aws::Credentials &secrets) {
    const std::string code = without_secrets(normalize_error_code(code_in), secrets);
    std::string message = clean_message(message_in, secrets);
    const CodeInfo ci = classify_code(code);
    const std::string what = code.empty() ? std::string("an unnamed error") : code;
    const std::string status_text = status > 0 ? "HTTP " + std::to_string(status) + ", " : std::string();
    switch (ci.kind) {
    case Kind::retry:
        if (message.empty()) message = "Bedrock is temporarily unavailable";
        return helix::sdk::Error(HELIX_ERR_RETRY, message + " (" + what + ")", ci.status, retry_after_ms, code);
    case Kind::upstream_status:
        if (message.empty()) message = "Bedrock rejected the request";
        return helix::sdk::Error(HELIX_ERR_UPSTREAM, message, ci.status, 0, code);
    case Kind::upstream_502:
        if (message.empty()) message = "Bedrock could not serve the request";
        return helix::sdk::Error(HELIX_ERR_UPSTREAM, message + " (" + what + ", not retried)", 502, 0, code);
    case Kind::auth:
        return helix::sdk::Error(HELIX_ERR_AUTH,
                                 "Bedrock refused the gateway's AWS credentials or their permissions (" + status_text +
                                     what + ")" + (message.empty() ? "" : ": " + message),
                                 502, 0, code); // the host reports upstream_auth_failed; the code says why
    case Kind::unknown:
        break;
    }
    if (message.empty()) message = "Bedrock reported " + what;
    return helix::sdk::Error(HELIX_ERR_UPSTREAM, message + (code.empty() ? "" : " (" + code + ")"), 502, 0, code);
}

// ---------------------------------------------------------------------------

BedrockCall::BedrockCall(CallOptions options)
    : options_(std::move(options)),
      frames_(helix::aws::DecoderOptions{options_.max_frame_bytes, helix::aws::kDefaultMaxEventStreamHeadersBytes}) {}

BedrockCall::~BedrockCall() = default;

template <class F> void BedrockCall::guard(F &&f) {
    try {
        f();
    } catch (const helix::sdk::Error &e) {
        if (e.status() == HELIX_ERR_AUTH && options_.on_credentials_rejected && credentials_expired(e.code(), e.what()))
            options_.on_credentials_rejected(options_.credentials);
        throw;
    }
}

void BedrockCall::start(const helix_http_response &response) {
    begun_ = true;
    shared_.request_id = std::string(helix::sdk::find_header(response, "x-amzn-RequestId").substr(0, 128));
    shared_.error_type = std::string(helix::sdk::find_header(response, "x-amzn-ErrorType").substr(0, 256));
    if (const std::string_view count = helix::sdk::find_header(response, "X-Amzn-Bedrock-Input-Token-Count");
        !count.empty()) {
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
        if (ec == std::errc() && end == count.data() + count.size() && n >= 0) shared_.input_tokens = n;
    }
    const std::string content_type = lower(helix::sdk::find_header(response, "content-type"));
    const bool ok = helix::plugin_common::is_success_status(response.status);
    const bool frames = content_type.find("vnd.amazon.eventstream") != std::string::npos;
    // Converse and InvokeModel answer in JSON: frames sent to a request that
    // did not ask for a stream would be collected without end.
    if (ok && frames && !options_.stream)
        throw_protocol_error("the upstream answered a non-streamed request with an event stream");
    event_stream_ = ok && (frames || (content_type.empty() && options_.stream));
    if (!event_stream_) json_ = std::make_unique<ConverseJsonDecoder>(options_, shared_);
}

void BedrockCall::decode(const helix_http_response &response, helix::sdk::EventSink &events) {
    guard([&] {
        if (!begun_) start(response);
        if (json_) {
            json_->decode(response, events);
            return;
        }
        if (response.len == 0) return;
        any_frame_ = true;
        messages_.clear();
        const bool ok = frames_.feed(std::string_view(reinterpret_cast<const char *>(response.data), response.len),
                                     messages_);
        for (const helix::aws::Message &m : messages_) {
            if ((stopped_ && metadata_) || events.stopped()) break;
            on_message(m, events);
        }
        messages_.clear();
        if (!ok) {
            const helix::aws::DecodeFailure &f = frames_.error();
            throw_protocol_error("the upstream's event stream is corrupt (" + std::string(helix::aws::to_string(f.kind)) +
                                 " at byte " + std::to_string(f.offset) + ")");
        }
    });
}

void BedrockCall::finish(helix::sdk::EventSink &events) {
    guard([&] {
        if (!begun_) throw_protocol_error("the upstream response ended before its status was known");
        if (json_) {
            json_->finish(events);
            return;
        }
        if (!frames_.finish())
            throw_protocol_error("the upstream's event stream ended in the middle of a frame (truncated response)");
        if (options_.invoke_stream_end) {
            options_.invoke_stream_end();
            return;
        }
        if (!stopped_)
            throw_protocol_error(started_ ? "the upstream's stream ended before messageStop (truncated response)"
                                          : "the upstream's stream ended without any event");
        if (!metadata_) throw_protocol_error("the upstream's stream ended before its metadata event (truncated response)");
    });
}

void BedrockCall::ensure_started(helix::sdk::EventSink &events) {
    if (started_) return;
    started_ = true;
    events.start(shared_.request_id, options_.model);
}

BedrockCall::Block &BedrockCall::block(std::int64_t index) {
    if (index < 0 || index > kMaxBlockIndex)
        throw_protocol_error("the upstream sent a content block event without a valid contentBlockIndex");
    const auto i = static_cast<std::size_t>(index);
    if (i >= blocks_.size()) blocks_.resize(i + 1);
    return blocks_[i];
}

void BedrockCall::on_message(const helix::aws::Message &m, helix::sdk::EventSink &events) {
    const std::string_view kind = m.string_header(":message-type").value_or("event");
    if (kind == "event") {
        const auto type = m.string_header(":event-type");
        if (!type) throw_protocol_error("the upstream sent an event frame without :event-type");
        on_event(*type, m.payload, events);
        return;
    }
    if (kind == "exception") {
        const std::string_view type = m.string_header(":exception-type").value_or("");
        boost::system::error_code ec;
        const json::value v = json::parse(m.payload, ec);
        std::string_view message;
        if (const json::object *o = ec ? nullptr : v.if_object()) {
            message = pj::string_or_empty(*o, "message");
            if (message.empty()) message = pj::string_or_empty(*o, "Message");
        }
        throw bedrock_error(type, message, 0, 0, options_.credentials);
    }
    if (kind == "error") {
        throw bedrock_error(m.string_header(":error-code").value_or(""), m.string_header(":error-message").value_or(""),
                            0, 0, options_.credentials);
    }
    throw_protocol_error("the upstream sent a frame of unknown :message-type");
}

void BedrockCall::on_event(std::string_view type, std::string_view payload, helix::sdk::EventSink &events) {
    if (options_.invoke_chunk) {
        if (type != "chunk") return; // skipped, as the JS SDK does
        const json::value v = helix::plugin_common::parse_json_or_throw(payload, "stream chunk");
        const json::object *o = v.if_object();
        const auto bytes = o != nullptr ? pj::string_member(*o, "bytes") : std::nullopt;
        if (!bytes) throw_protocol_error("the upstream sent a chunk without bytes");
        const auto decoded = helix::aws::base64_decode(*bytes);
        if (!decoded) throw_protocol_error("the upstream sent a chunk whose bytes are not base64");
        options_.invoke_chunk(*decoded, events);
        return;
    }
    const bool known = type == "messageStart" || type == "contentBlockStart" || type == "contentBlockDelta" ||
                       type == "contentBlockStop" || type == "messageStop" || type == "metadata";
    if (!known) return; // the JS SDK skips unknown event types
    unsigned char buffer[4096];
    json::monotonic_resource mr(buffer);
    const json::value v = helix::plugin_common::parse_json_or_throw(payload, "stream event", &mr);
    const json::object *o = v.if_object();
    if (o == nullptr) throw_protocol_error("the upstream sent a " + std::string(type) + " event that is not a JSON object");

    if (type == "messageStart") {
        ensure_started(events);
        return;
    }
    if (type == "contentBlockStart") {
        ensure_started(events);
        Block &b = block(pj::int_member(*o, "contentBlockIndex").value_or(-1));
        const json::object *start = pj::object_member(*o, "start");
        const json::object *use = start != nullptr ? pj::object_member(*start, "toolUse") : nullptr;
        if (use != nullptr && options_.json_tool_as_text &&
            pj::string_or_empty(*use, "name") == helix::plugin_common::kJsonToolName) {
            b.kind = BlockKind::json;
            json_answered_ = true;
        } else if (use != nullptr) {
            if (b.kind == BlockKind::tool) throw_protocol_error("the upstream started a toolUse block twice");
            b.kind = BlockKind::tool;
            b.tool_index = tool_count_++;
            events.tool_call(0, b.tool_index, pj::string_or_empty(*use, "toolUseId"), pj::string_or_empty(*use, "name"),
                             {});
        }
        return;
    }
    if (type == "contentBlockDelta") {
        ensure_started(events);
        Block &b = block(pj::int_member(*o, "contentBlockIndex").value_or(-1));
        const json::object *delta = pj::object_member(*o, "delta");
        if (delta == nullptr) throw_protocol_error("the upstream's contentBlockDelta has no delta");
        if (const json::object *reasoning = pj::object_member(*delta, "reasoningContent")) {
            if (b.kind == BlockKind::tool || b.kind == BlockKind::text)
                throw_protocol_error("the upstream sent reasoning for a block that is not a reasoning block");
            if (b.kind != BlockKind::reasoning) {
                b.kind = BlockKind::reasoning;
                b.reasoning_index = reasoning_count_++;
            }
            const std::string_view text = pj::string_or_empty(*reasoning, "text");
            const std::string_view signature = pj::string_or_empty(*reasoning, "signature");
            const std::string_view redacted = pj::string_or_empty(*reasoning, "redactedContent");
            if (!text.empty() || !signature.empty() || !redacted.empty())
                events.reasoning(0, b.reasoning_index, text, signature, redacted, kReasoningFormat);
        } else if (const auto text = pj::string_member(*delta, "text")) {
            if (b.kind == BlockKind::tool || b.kind == BlockKind::reasoning)
                throw_protocol_error("the upstream sent text for a block that is not a text block");
            b.kind = BlockKind::text;
            if (!text->empty()) events.text(0, *text);
        } else if (const json::object *answer = pj::object_member(*delta, "toolUse"); answer != nullptr && b.kind == BlockKind::json) {
            if (const auto part = pj::string_member(*answer, "input"); part && !part->empty()) {
                b.has_arguments = true;
                events.text(0, *part);
            }
        } else if (const json::object *use = pj::object_member(*delta, "toolUse")) {
            if (b.kind != BlockKind::tool)
                throw_protocol_error("the upstream sent tool input for a block that did not start as toolUse");
            if (const auto part = pj::string_member(*use, "input"); part && !part->empty()) {
                b.has_arguments = true;
                events.tool_call(0, b.tool_index, {}, {}, *part);
            }
        }
        return; // citation, image: not part of the OpenAI shape
    }
    if (type == "contentBlockStop") {
        Block &b = block(pj::int_member(*o, "contentBlockIndex").value_or(-1));
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
    if (type == "messageStop") {
        ensure_started(events);
        if (!stopped_) {
            stopped_ = true;
            const std::string_view stop = pj::string_or_empty(*o, "stopReason");
            events.finish(0, stop == "tool_use" && json_answered_ && tool_count_ == 0 ? HELIX_FINISH_STOP
                                                                                       : map_stop_reason(stop));
        }
        return;
    }
    // metadata
    ensure_started(events);
    metadata_ = true;
    if (const json::object *usage = pj::object_member(*o, "usage")) emit_usage(*usage, events);
}

} // namespace helix::aws_bedrock
