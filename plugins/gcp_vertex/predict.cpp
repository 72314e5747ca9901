#include "plugins/gcp_vertex/predict.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/request_helpers.hpp"
#include "plugins/gcp_vertex/google_error.hpp"

#include <boost/json.hpp>

namespace helix::gcp_vertex {

namespace {

namespace json = boost::json;
namespace pj = helix::plugin_common::json;
using helix::plugin_common::invalid;
using helix::plugin_common::jv;
using helix::plugin_common::message_path;
using helix::plugin_common::throw_protocol_error;
using helix::plugin_common::unsupported;
using helix::sdk::view;

std::string text_of(const helix_message &m, std::size_t index) {
    if (m.parts == nullptr) return std::string(view(m.text));
    std::string text;
    for (std::size_t j = 0; j < m.part_count; ++j) {
        if (m.parts[j]->type != HELIX_PART_TEXT)
            unsupported("text-bison and code-bison take text only; " + message_path(index) + " has an image",
                        message_path(index) + ".content[" + std::to_string(j) + "]");
        text += view(m.parts[j]->text);
    }
    return text;
}

std::string flatten(const helix_chat_request &r) {
    std::string system;
    std::vector<std::pair<const char *, std::string>> turns;
    for (std::size_t i = 0; i < r.message_count; ++i) {
        const helix_message &m = *r.messages[i];
        if (m.tool_call_count > 0 || m.role == HELIX_ROLE_TOOL)
            unsupported("text-bison and code-bison cannot call tools", message_path(i));
        std::string text = text_of(m, i);
        if (text.empty()) continue;
        if (m.role == HELIX_ROLE_SYSTEM || m.role == HELIX_ROLE_DEVELOPER)
            system += (system.empty() ? "" : "\n\n") + text;
        else
            turns.emplace_back(m.role == HELIX_ROLE_ASSISTANT ? "Assistant" : "User", std::move(text));
    }
    if (turns.empty()) invalid("the request has no user message with text", "messages");
    std::string prompt = system;
    if (turns.size() == 1 && std::string_view(turns.front().first) == "User") {
        prompt += (prompt.empty() ? "" : "\n\n") + turns.front().second;
        return prompt;
    }
    for (const auto &[speaker, text] : turns) prompt += (prompt.empty() ? "" : "\n\n") + std::string(speaker) + ": " + text;
    return prompt + "\n\nAssistant:";
}

std::int64_t token_count(const json::object &metadata, std::string_view camel, std::string_view snake) {
    const json::object *count = pj::object_member(metadata, camel);
    if (count == nullptr) count = pj::object_member(metadata, snake);
    if (count == nullptr) return 0;
    if (const auto n = pj::int_member(*count, "totalTokens")) return *n;
    return pj::int_or_zero(*count, "total_tokens");
}

} // namespace

std::string predict_body(const helix_chat_request &r) {
    if (r.tool_count > 0) unsupported("text-bison and code-bison cannot call tools", "tools");
    if (r.response_format == HELIX_FORMAT_JSON_SCHEMA)
        unsupported("text-bison and code-bison have no structured output", "response_format");
    const std::string_view model = view(r.model);
    const char *field = model.starts_with("code-") ? "prefix" : "prompt";
    json::object parameters;
    if ((r.present & HELIX_HAS_TEMPERATURE) != 0) parameters["temperature"] = r.temperature;
    if ((r.present & HELIX_HAS_TOP_P) != 0) parameters["topP"] = r.top_p;
    if ((r.present & HELIX_HAS_MAX_TOKENS) != 0) parameters["maxOutputTokens"] = r.max_tokens;
    if (r.stop_count > 0) {
        json::array stop;
        for (std::size_t i = 0; i < r.stop_count; ++i) stop.push_back(json::string(jv(r.stop[i])));
        parameters["stopSequences"] = std::move(stop);
    }
    json::object body{{"instances", json::array{json::object{{field, flatten(r)}}}}};
    if (!parameters.empty()) body["parameters"] = std::move(parameters);
    return json::serialize(body);
}

PredictCall::PredictCall(helix::plugin_common::DecoderOptions options, std::string secret)
    : ResponseDecoder(std::move(options)), secret_(std::move(secret)) {}

void PredictCall::on_sse_event(const helix::plugin_common::SseEvent &, helix::sdk::EventSink &) {
    throw_protocol_error("the upstream answered :predict with an event stream");
}

void PredictCall::on_stream_end(helix::sdk::EventSink &) {}

void PredictCall::on_json_body(const json::value &body, helix::sdk::EventSink &events) {
    const json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's response body is not a JSON object");
    const json::array *predictions = pj::array_member(*o, "predictions");
    if (predictions == nullptr || predictions->empty() || !predictions->front().is_object())
        throw_protocol_error("the upstream's response has no predictions");
    const json::object &prediction = predictions->front().get_object();
    events.start({}, {});
    const json::object *safety = pj::object_member(prediction, "safetyAttributes");
    const json::value *blocked = safety != nullptr ? safety->if_contains("blocked") : nullptr;
    const bool filtered = blocked != nullptr && blocked->is_bool() && blocked->get_bool();
    if (const auto text = pj::string_member(prediction, "content"); text && !text->empty() && !filtered)
        events.text(0, *text);
    events.finish(0, filtered ? HELIX_FINISH_CONTENT_FILTER : HELIX_FINISH_STOP);
    const json::object *metadata = pj::object_member(*o, "metadata");
    const json::object *tokens = metadata != nullptr ? pj::object_member(*metadata, "tokenMetadata") : nullptr;
    if (tokens != nullptr)
        events.usage(token_count(*tokens, "inputTokenCount", "input_token_count"),
                     token_count(*tokens, "outputTokenCount", "output_token_count"));
}

helix::sdk::Error PredictCall::on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) {
    return google_http_error(info, body, secret_);
}

} // namespace helix::gcp_vertex
