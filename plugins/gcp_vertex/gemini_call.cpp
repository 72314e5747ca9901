#include "plugins/gcp_vertex/gemini_call.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/gcp_vertex/gemini_request.hpp"
#include "plugins/gcp_vertex/google_error.hpp"

#include <boost/json.hpp>

#include <array>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::throw_protocol_error;

constexpr std::int64_t kMaxCandidateIndex = 127; // OpenAI's n is at most 128

} // namespace

helix_finish_reason map_finish_reason(std::string_view reason, bool called_a_function) noexcept {
    if (reason == "MAX_TOKENS") return HELIX_FINISH_LENGTH;
    static constexpr std::array<std::string_view, 7> filtered{"SAFETY",      "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
                                                              "SPII",        "LANGUAGE",   "JAILBREAK"};
    for (const std::string_view f : filtered)
        if (reason == f) return HELIX_FINISH_CONTENT_FILTER;
    if (reason.starts_with("IMAGE_") && reason != "IMAGE_OTHER") return HELIX_FINISH_CONTENT_FILTER;
    return called_a_function ? HELIX_FINISH_TOOL_CALLS : HELIX_FINISH_STOP;
}

GeminiCall::GeminiCall(helix::plugin_common::DecoderOptions options, std::string secret, std::string id_seed)
    : ResponseDecoder(std::move(options)), secret_(std::move(secret)), id_seed_(std::move(id_seed)) {}

GeminiCall::Choice &GeminiCall::choice(std::uint32_t index) {
    if (index >= choices_.size()) choices_.resize(index + 1);
    return choices_[index];
}

void GeminiCall::on_candidate(const json::object &candidate, std::uint32_t index, helix::sdk::EventSink &events) {
    Choice &c = choice(index);
    if (c.finished) return; // nothing counts after its finishReason
    if (const json::object *content = pj::object_member(candidate, "content")) {
        if (const json::array *parts = pj::array_member(*content, "parts")) {
            for (const json::value &pv : *parts) {
                const json::object *part = pv.if_object();
                if (part == nullptr) throw_protocol_error("the upstream sent a content part that is not a JSON object");
                const std::string_view signature = pj::string_or_empty(*part, "thoughtSignature");
                if (const json::value *thought = part->if_contains("thought"); thought != nullptr && thought->is_bool() &&
                                                                                thought->get_bool()) {
                    // Thought summaries: one reasoning block until a signature closes it.
                    const std::string_view text = pj::string_or_empty(*part, "text");
                    if (!text.empty() || !signature.empty()) {
                        if (!c.thought_open) {
                            c.thought_open = true;
                            c.thought_block = c.reasoning_blocks++;
                        }
                        events.reasoning(index, c.thought_block, text, signature, {}, kReasoningFormat);
                        if (!signature.empty()) c.thought_open = false;
                    }
                    continue;
                }
                if (const auto text = pj::string_member(*part, "text")) {
                    if (!text->empty()) events.text(index, *text);
                    // The signature of an answer's text part: an opaque block of its own.
                    if (!signature.empty()) events.reasoning(index, c.reasoning_blocks++, {}, {}, signature, kReasoningFormat);
                } else if (const json::object *call = pj::object_member(*part, "functionCall")) {
                    const std::string_view name = pj::string_or_empty(*call, "name");
                    if (name.empty()) throw_protocol_error("the upstream sent a functionCall without a name");
                    std::string id(pj::string_or_empty(*call, "id"));
                    if (id.empty())
                        id = "call_" + id_seed_ + "_" + std::to_string(index) + "_" + std::to_string(c.tool_calls);
                    const json::value *args = call->if_contains("args");
                    const std::string arguments = args != nullptr && args->is_object() ? json::serialize(*args) : "{}";
                    events.tool_call(index, c.tool_calls, id, name, arguments);
                    if (!signature.empty()) events.tool_signature(index, c.tool_calls, signature, kReasoningFormat);
                    ++c.tool_calls;
                }
            }
        }
    }
    if (const auto reason = pj::string_member(candidate, "finishReason");
        reason && !reason->empty() && *reason != "FINISH_REASON_UNSPECIFIED") {
        c.finished = true;
        finished_ = true;
        events.finish(index, map_finish_reason(*reason, c.tool_calls > 0));
    }
}

void GeminiCall::on_response(const json::value &response, helix::sdk::EventSink &events) {
    const json::object *o = response.if_object();
    if (o == nullptr) throw_protocol_error("the upstream sent a response that is not a JSON object");
    if (o->contains("error")) {
        if (const auto error = parse_google_error(response)) throw google_stream_error(*error, secret_);
    }
    if (!started_) {
        started_ = true;
        if (const auto id = pj::string_member(*o, "responseId"); id && !id->empty()) id_seed_ = std::string(*id);
        events.start(pj::string_or_empty(*o, "responseId"), pj::string_or_empty(*o, "modelVersion"));
    }
    const json::array *candidates = pj::array_member(*o, "candidates");
    if (candidates != nullptr) {
        std::uint32_t position = 0;
        for (const json::value &cv : *candidates) {
            const json::object *candidate = cv.if_object();
            if (candidate == nullptr) throw_protocol_error("the upstream sent a candidate that is not a JSON object");
            const std::int64_t index = pj::int_member(*candidate, "index").value_or(position);
            if (index < 0 || index > kMaxCandidateIndex) throw_protocol_error("the upstream sent a candidate index out of range");
            on_candidate(*candidate, static_cast<std::uint32_t>(index), events);
            ++position;
        }
    }
    if (candidates == nullptr || candidates->empty()) {
        const json::object *feedback = pj::object_member(*o, "promptFeedback");
        if (feedback != nullptr && !pj::string_or_empty(*feedback, "blockReason").empty() && !finished_) {
            finished_ = true;
            choice(0).finished = true;
            events.finish(0, HELIX_FINISH_CONTENT_FILTER);
        }
    }
    if (const json::object *usage = pj::object_member(*o, "usageMetadata")) {
        have_usage_ = true;
        prompt_tokens_ = pj::int_or_zero(*usage, "promptTokenCount");
        reasoning_tokens_ = helix::sdk::non_negative(pj::int_or_zero(*usage, "thoughtsTokenCount"));
        completion_tokens_ = helix::sdk::saturating_add(
            helix::sdk::non_negative(pj::int_or_zero(*usage, "candidatesTokenCount")), reasoning_tokens_);
        cached_tokens_ = pj::int_or_zero(*usage, "cachedContentTokenCount");
    }
}

void GeminiCall::emit_usage(helix::sdk::EventSink &events) {
    if (have_usage_) events.usage({prompt_tokens_, completion_tokens_, cached_tokens_, 0, reasoning_tokens_});
}

void GeminiCall::on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) {
    unsigned char buffer[8192];
    json::monotonic_resource mr(buffer);
    on_response(helix::plugin_common::parse_json_or_throw(event.data, "stream event", &mr), events);
}

void GeminiCall::on_stream_end(helix::sdk::EventSink &events) {
    if (!started_) throw_protocol_error("the upstream's stream ended without any response");
    if (!finished_) throw_protocol_error("the upstream's stream ended before a finishReason (truncated response)");
    emit_usage(events);
}

void GeminiCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    on_response(body, events);
    if (!finished_) {
        // A unary response without finishReason is whole all the same.
        for (std::uint32_t i = 0; i < choices_.size(); ++i)
            if (!choices_[i].finished) events.finish(i, map_finish_reason("STOP", choices_[i].tool_calls > 0));
        if (choices_.empty()) throw_protocol_error("the upstream's response has no candidates");
    }
    emit_usage(events);
}

helix::sdk::Error GeminiCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return google_http_error(info, body, secret_);
}

} // namespace helix::gcp_vertex
