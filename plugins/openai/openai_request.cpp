#include "plugins/openai/openai_request.hpp"

#include "plugins/common/document_part.hpp"
#include "plugins/common/request_helpers.hpp"
#include "plugins/common/response_decoder.hpp"

#include <boost/json.hpp>

namespace helix::openai {

namespace {

namespace json = boost::json;
using helix::sdk::Error;
using helix::sdk::view;

json::string_view jv(helix_str s) {
    const std::string_view v = view(s);
    return json::string_view(v.data(), v.size());
}

[[noreturn]] void invalid(std::string message, std::string param) {
    throw Error(HELIX_ERR_INVALID_REQUEST, std::move(message), 400, 0, "invalid_value", std::move(param));
}

// Parses JSON text the client gave (tool parameters, arguments, a schema).
json::value parse_client_json(helix_str text, const std::string &param) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = helix::plugin_common::kMaxJsonDepth;
    json::value v = json::parse(view(text), ec, {}, options);
    if (ec) invalid(param + " is not valid JSON", param);
    return v;
}

const char *role_name(std::uint32_t role) {
    switch (role) {
    case HELIX_ROLE_SYSTEM:
        return "system";
    case HELIX_ROLE_DEVELOPER:
        return "developer";
    case HELIX_ROLE_USER:
        return "user";
    case HELIX_ROLE_ASSISTANT:
        return "assistant";
    case HELIX_ROLE_TOOL:
        return "tool";
    }
    return "user";
}

json::value content_of(const helix_message &m, std::size_t index) {
    if (m.parts == nullptr) return json::string(jv(m.text));
    json::array parts;
    for (std::size_t i = 0; i < m.part_count; ++i) {
        const helix_content_part &p = *m.parts[i];
        if (p.type == HELIX_PART_IMAGE_URL) {
            json::object image{{"url", jv(p.image_url)}};
            if (p.detail.len > 0) image["detail"] = jv(p.detail);
            parts.push_back(json::object{{"type", "image_url"}, {"image_url", std::move(image)}});
        } else if (p.type == HELIX_PART_DOCUMENT) {
            // OpenAI's file part: file_data (a data: URL) or file_id.
            const std::string param = helix::plugin_common::part_path(index, i);
            const helix::plugin_common::DocumentPart d = helix::plugin_common::document_part(p, param);
            json::object file;
            if (d.source == HELIX_SOURCE_BYTES)
                file["file_data"] = "data:" + d.media_type + ";base64," + helix::plugin_common::base64_encode(d.bytes);
            else if (d.source == HELIX_SOURCE_FILE_URI)
                file["file_id"] = helix::plugin_common::jv(d.uri);
            else
                helix::plugin_common::unsupported(param + ": OpenAI takes a file as file_data or file_id, not by URL",
                                                  param);
            if (!d.filename.empty()) file["filename"] = helix::plugin_common::jv(d.filename);
            parts.push_back(json::object{{"type", "file"}, {"file", std::move(file)}});
        } else {
            parts.push_back(json::object{{"type", "text"}, {"text", jv(p.text)}});
        }
    }
    return parts;
}

json::object message_of(const helix_message &m, std::size_t index) {
    json::object o{{"role", role_name(m.role)}};
    const bool only_tool_calls = m.role == HELIX_ROLE_ASSISTANT && m.tool_call_count > 0 && m.parts == nullptr &&
                                 m.text.len == 0;
    o["content"] = only_tool_calls ? json::value(nullptr) : content_of(m, index);
    if (m.name.len > 0) o["name"] = jv(m.name);
    if (m.tool_call_count > 0) {
        json::array calls;
        for (std::size_t i = 0; i < m.tool_call_count; ++i) {
            const helix_tool_call &c = *m.tool_calls[i];
            calls.push_back(json::object{
                {"id", jv(c.id)},
                {"type", "function"},
                {"function", json::object{{"name", jv(c.name)}, {"arguments", jv(c.arguments)}}}});
        }
        o["tool_calls"] = std::move(calls);
    }
    if (m.role == HELIX_ROLE_TOOL) o["tool_call_id"] = jv(m.tool_call_id);
    return o;
}

// Makes `stream` and `stream_options` say what the gateway needs.
void set_streaming(json::object &body, bool stream) {
    if (stream) {
        body["stream"] = true;
        json::value &options = body["stream_options"];
        if (!options.is_object()) options = json::object{};
        options.get_object()["include_usage"] = true;
    } else {
        body.erase("stream_options");
        if (body.contains("stream")) body["stream"] = false;
    }
}

} // namespace

std::string body_from_canonical(const helix_chat_request &r) {
    json::object body;
    body["model"] = jv(r.model);
    json::array messages;
    for (std::size_t i = 0; i < r.message_count; ++i) messages.push_back(message_of(*r.messages[i], i));
    body["messages"] = std::move(messages);
    if (r.tool_count > 0) {
        json::array tools;
        for (std::size_t i = 0; i < r.tool_count; ++i) {
            const helix_tool &t = *r.tools[i];
            json::object fn{{"name", jv(t.name)}};
            if (t.description.len > 0) fn["description"] = jv(t.description);
            if (t.parameters_json.len > 0)
                fn["parameters"] = parse_client_json(t.parameters_json, "tools[" + std::to_string(i) + "].function.parameters");
            if (t.strict != 0) fn["strict"] = true;
            tools.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
        }
        body["tools"] = std::move(tools);
    }
    switch (r.tool_choice) {
    case HELIX_TOOL_CHOICE_NONE:
        body["tool_choice"] = "none";
        break;
    case HELIX_TOOL_CHOICE_AUTO:
        body["tool_choice"] = "auto";
        break;
    case HELIX_TOOL_CHOICE_REQUIRED:
        body["tool_choice"] = "required";
        break;
    case HELIX_TOOL_CHOICE_NAMED:
        body["tool_choice"] =
            json::object{{"type", "function"}, {"function", json::object{{"name", jv(r.tool_choice_name)}}}};
        break;
    case HELIX_TOOL_CHOICE_UNSET:
        break;
    }
    if (r.parallel_tool_calls >= 0 && r.tool_count > 0) body["parallel_tool_calls"] = r.parallel_tool_calls != 0;
    if ((r.present & HELIX_HAS_MAX_TOKENS) != 0) body["max_completion_tokens"] = r.max_tokens;
    if ((r.present & HELIX_HAS_TEMPERATURE) != 0) body["temperature"] = r.temperature;
    if ((r.present & HELIX_HAS_TOP_P) != 0) body["top_p"] = r.top_p;
    if ((r.present & HELIX_HAS_SEED) != 0) body["seed"] = r.seed;
    if (r.stop_count > 0) {
        json::array stop;
        for (std::size_t i = 0; i < r.stop_count; ++i) stop.push_back(json::string(jv(r.stop[i])));
        body["stop"] = std::move(stop);
    }
    if (r.n > 1) body["n"] = r.n;
    switch (r.response_format) {
    case HELIX_FORMAT_TEXT:
        body["response_format"] = json::object{{"type", "text"}};
        break;
    case HELIX_FORMAT_JSON_OBJECT:
        body["response_format"] = json::object{{"type", "json_object"}};
        break;
    case HELIX_FORMAT_JSON_SCHEMA:
        body["response_format"] = json::object{
            {"type", "json_schema"}, {"json_schema", parse_client_json(r.response_schema_json, "response_format.json_schema")}};
        break;
    case HELIX_FORMAT_UNSET:
        break;
    }
    if (r.user.len > 0) body["user"] = jv(r.user);
    set_streaming(body, r.stream != 0);
    return json::serialize(body);
}

std::string chat_body(const helix_chat_request &request, const helix::plugin_common::ForwardedFields &fields) {
    if (request.model.len == 0) invalid("the request names no model", "model");
    if (request.original_body.len == 0) return body_from_canonical(request);
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = helix::plugin_common::kMaxJsonDepth;
    // The document lives until it is serialized again: one arena (first on
    // the stack) instead of an allocation per key and string.
    unsigned char first_block[4096];
    json::monotonic_resource arena(first_block, sizeof first_block);
    json::value body = json::parse(view(request.original_body), ec, &arena, options);
    if (ec || !body.is_object()) invalid("the request body is not a JSON object", "");
    json::object &o = body.get_object();
    helix::plugin_common::keep_forwarded_fields(o, fields);
    helix::plugin_common::drop_cache_control(o);
    o["model"] = jv(request.model);
    set_streaming(o, request.stream != 0);
    return json::serialize(body);
}

std::string completions_body(const helix_chat_request &request, const helix::plugin_common::ForwardedFields &fields) {
    // Left out as on chat: nothing here keeps data at OpenAI or bills more.
    static const std::vector<std::string> listed{
        "model", "prompt", "max_tokens", "temperature", "top_p", "n", "stream", "stream_options", "logprobs", "echo",
        "stop", "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "user", "seed", "suffix"};
    if (request.model.len == 0) invalid("the request names no model", "model");
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = helix::plugin_common::kMaxJsonDepth;
    json::value body = json::parse(view(request.original_body), ec, {}, options);
    if (ec || !body.is_object()) invalid("the request body is not a JSON object", "");
    json::object &o = body.get_object();
    helix::plugin_common::keep_listed_fields(o, listed, fields);
    o["model"] = jv(request.model);
    set_streaming(o, request.stream != 0);
    return json::serialize(body);
}

void start_request(const Settings &settings, std::string_view path, bool stream, helix::sdk::HttpRequest &out) {
    if (settings.api_key.empty() && settings.needs_api_key())
        throw Error(HELIX_ERR_CONFIG, "settings.api_key is not set (OPENAI_API_KEY); the provider cannot authenticate");
    out.method = "POST";
    out.url = settings.base_url + std::string(path);
    out.headers.clear();
    if (!settings.api_key.empty()) out.add_header("Authorization", "Bearer " + settings.api_key);
    out.add_header("Content-Type", "application/json");
    out.add_header("Accept", stream ? "text/event-stream" : "application/json");
    if (!settings.organization.empty()) out.add_header("OpenAI-Organization", settings.organization);
    if (!settings.project.empty()) out.add_header("OpenAI-Project", settings.project);
    out.streaming_response = stream;
}

void build_request(const Settings &settings, const helix_chat_request &request, helix::sdk::HttpRequest &out) {
    start_request(settings, "/chat/completions", request.stream != 0, out);
    out.body = chat_body(request, settings.fields);
}

} // namespace helix::openai
