#include "tools/cloudsim/openai_wire.hpp"

#include "daemon/api/sse_frame.hpp"
#include "tools/cloudsim/prompt_cache.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cctype>

namespace helix::cloudsim::openai {

using api::sse_data;

namespace {

namespace json = boost::json;

constexpr std::size_t kArgumentFragmentBytes = 8;

struct ModelInfo {
    std::string_view id;
    std::int64_t created;
    std::string_view owned_by;
};

constexpr std::array<ModelInfo, 8> kModels{{
    {"gpt-4o", 1715367049, "system"},
    {"gpt-4o-mini", 1721172741, "system"},
    {"gpt-4.1", 1744316542, "system"},
    {"gpt-4.1-mini", 1744318173, "system"},
    {"gpt-4-turbo", 1712361441, "system"},
    {"gpt-4", 1687882411, "openai"},
    {"gpt-3.5-turbo", 1677610602, "openai"},
    {"o3-mini", 1737146383, "system"},
}};

ApiError invalid(std::string message, std::optional<std::string> param = std::nullopt,
                 std::optional<std::string> code = std::nullopt) {
    ApiError e;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

std::string_view kind_of(const json::value &v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    }
    return "value";
}

// The text of a message's content: a string, or the "text" of its text parts
// ('\n'-joined). Other parts (images, audio, files) carry no text.
std::optional<std::string> content_text(const json::value &content) {
    if (content.is_string()) return std::string(content.get_string());
    if (content.is_null()) return std::string();
    if (!content.is_array()) return std::nullopt;
    std::string out;
    for (const auto &part : content.get_array()) {
        const auto *obj = part.if_object();
        if (!obj) return std::nullopt;
        const auto type = string_member(*obj, "type");
        if (type && *type == "text") {
            const auto text = string_member(*obj, "text");
            if (!text) return std::nullopt;
            if (!out.empty()) out.push_back('\n');
            out.append(*text);
        }
    }
    return out;
}

bool parse_messages(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *messages = root.if_contains("messages");
    if (!messages) {
        error = invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        return false;
    }
    if (!messages->is_array()) {
        error = invalid("Invalid type for 'messages': expected an array of objects, but got " +
                            std::string(kind_of(*messages)) + " instead.",
                        "messages", "invalid_type");
        return false;
    }
    const auto &list = messages->get_array();
    if (list.empty()) {
        error = invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
                        "array instead.",
                        "messages", "empty_array");
        return false;
    }
    bool after_tool_calls = false; // a tool message must answer an assistant message with tool_calls
    std::string trailing_tool_results;
    std::size_t trailing_tools = 0;
    prompt.automatic_cache = true; // OpenAI caches every long prompt's prefix on its own
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i > 0) mark_cache_point(prompt); // the messages before this one
        const std::string where = "messages[" + std::to_string(i) + "]";
        const auto *msg = list[i].if_object();
        if (!msg) {
            error = invalid("Invalid type for '" + where + "': expected an object, but got " +
                                std::string(kind_of(list[i])) + " instead.",
                            where, "invalid_type");
            return false;
        }
        const auto role = string_member(*msg, "role");
        if (!role) {
            error = invalid("Missing required parameter: '" + where + ".role'.", where + ".role",
                            "missing_required_parameter");
            return false;
        }
        const bool known = *role == "system" || *role == "developer" || *role == "user" || *role == "assistant" ||
                           *role == "tool" || *role == "function";
        if (!known) {
            error = invalid("Invalid value: '" + std::string(*role) +
                                "'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and "
                                "'developer'.",
                            where + ".role", "invalid_value");
            return false;
        }
        // OpenAI's schema has no cache_control (it caches on its own).
        const auto *content = msg->if_contains("content");
        bool cache_control = msg->contains("cache_control");
        std::string cache_at = where;
        if (content && content->is_array())
            for (std::size_t p = 0; p < content->get_array().size() && !cache_control; ++p)
                if (const auto *part = content->get_array()[p].if_object(); part && part->contains("cache_control")) {
                    cache_control = true;
                    cache_at = where + ".content[" + std::to_string(p) + "]";
                }
        if (cache_control) {
            error = invalid("Additional properties are not allowed ('cache_control' was unexpected) - '" + cache_at + "'",
                            cache_at);
            return false;
        }
        const bool needs_content = *role != "assistant";
        if (!content && needs_content) {
            error = invalid("Missing required parameter: '" + where + ".content'.", where + ".content",
                            "missing_required_parameter");
            return false;
        }
        std::optional<std::string> text = content ? content_text(*content) : std::string();
        if (!text) {
            error = invalid("Invalid type for '" + where + ".content': expected one of a string or array of objects, "
                                "but got " + std::string(kind_of(*content)) + " instead.",
                            where + ".content", "invalid_type");
            return false;
        }
        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *text);

        if (*role == "tool") {
            if (!after_tool_calls) {
                error = invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                                "message with 'tool_calls'.",
                                where + ".role");
                return false;
            }
            if (!string_member(*msg, "tool_call_id")) {
                error = invalid("Missing parameter 'tool_call_id': messages with role 'tool' must have a "
                                "'tool_call_id'.",
                                where + ".tool_call_id", "missing_required_parameter");
                return false;
            }
            if (trailing_tools++ > 0) trailing_tool_results.push_back('\n');
            trailing_tool_results += *text;
            continue;
        }
        trailing_tools = 0;
        trailing_tool_results.clear();
        after_tool_calls = false;
        if (*role == "user") prompt.last_user_text = *text;
        if (*role == "assistant") {
            if (const auto *calls = msg->if_contains("tool_calls"); calls && calls->is_array()) {
                for (const auto &call : calls->get_array()) {
                    const auto *fn = call.is_object() ? call.get_object().if_contains("function") : nullptr;
                    if (!fn || !fn->is_object()) continue;
                    if (const auto name = string_member(fn->get_object(), "name"))
                        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *name);
                    if (const auto args = string_member(fn->get_object(), "arguments"))
                        add_prompt_text(prompt.all_text, prompt.prompt_tokens, *args);
                }
                after_tool_calls = !calls->get_array().empty();
            }
        }
    }
    if (trailing_tools > 0) {
        prompt.ends_with_tool_result = true;
        prompt.tool_result_text = std::move(trailing_tool_results);
    }
    return true;
}

bool parse_tools(const json::object &root, SimPrompt &prompt, ApiError &error) {
    if (const auto *tools = root.if_contains("tools"); tools && !tools->is_null()) {
        if (!tools->is_array()) {
            error = invalid("Invalid type for 'tools': expected an array of objects, but got " +
                                std::string(kind_of(*tools)) + " instead.",
                            "tools", "invalid_type");
            return false;
        }
        const auto &list = tools->get_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string where = "tools[" + std::to_string(i) + "]";
            const auto *tool = list[i].if_object();
            const auto *fn = tool ? tool->if_contains("function") : nullptr;
            const auto name = fn && fn->is_object() ? string_member(fn->get_object(), "name") : std::nullopt;
            if (!name || name->empty()) {
                error = invalid("Missing required parameter: '" + where + ".function.name'.", where + ".function.name",
                                "missing_required_parameter");
                return false;
            }
            ToolSpec spec;
            spec.name = std::string(*name);
            if (const auto *params = fn->get_object().if_contains("parameters")) spec.parameters = *params;
            prompt.tools.push_back(std::move(spec));
        }
    }
    const auto *choice = root.if_contains("tool_choice");
    if (!choice || choice->is_null()) return true;
    const auto bad_choice = [&](std::string why) {
        error = invalid("Invalid value for 'tool_choice': " + std::move(why), "tool_choice", "invalid_value");
        return false;
    };
    if (choice->is_string()) {
        const std::string_view c = choice->get_string();
        if (c == "none") prompt.tool_choice = ToolChoice::none;
        else if (c == "auto") prompt.tool_choice = ToolChoice::automatic;
        else if (c == "required") prompt.tool_choice = ToolChoice::required;
        else return bad_choice("expected 'none', 'auto', 'required' or a named function.");
    } else if (choice->is_object()) {
        const auto *fn = choice->get_object().if_contains("function");
        const auto name = fn && fn->is_object() ? string_member(fn->get_object(), "name") : std::nullopt;
        if (!name) return bad_choice("missing 'function.name'.");
        prompt.tool_choice = ToolChoice::named;
        prompt.tool_choice_name = std::string(*name);
        bool offered = false;
        for (const auto &t : prompt.tools) offered = offered || t.name == *name;
        if (!offered) return bad_choice("function '" + std::string(*name) + "' is not among the offered tools.");
    } else {
        return bad_choice("expected a string or an object.");
    }
    if (prompt.tools.empty() && prompt.tool_choice != ToolChoice::none && prompt.tool_choice != ToolChoice::automatic) {
        error = invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                        "tool_choice");
        return false;
    }
    return true;
}

json::object usage_object(const Reply &reply) {
    json::object usage;
    usage["prompt_tokens"] = reply.prompt_tokens;
    usage["completion_tokens"] = reply.completion_tokens;
    usage["total_tokens"] = reply.prompt_tokens + reply.completion_tokens;
    usage["prompt_tokens_details"] = json::object{{"cached_tokens", reply.cache_read_tokens}, {"audio_tokens", 0}};
    usage["completion_tokens_details"] = json::object{{"reasoning_tokens", 0},
                                                      {"audio_tokens", 0},
                                                      {"accepted_prediction_tokens", 0},
                                                      {"rejected_prediction_tokens", 0}};
    return usage;
}

json::object model_object(const ModelInfo &m) {
    return json::object{{"id", m.id}, {"object", "model"}, {"created", m.created}, {"owned_by", m.owned_by}};
}

} // namespace

// response_format: {"type": "text" | "json_object" | "json_schema"}; a
// json_schema needs json_schema.name and an object schema, json_object the
// word "json" in the messages, as OpenAI checks.
bool parse_response_format(const json::object &root, SimPrompt &prompt, ApiError &error) {
    const auto *format = root.if_contains("response_format");
    if (!format || format->is_null()) return true;
    const auto *f = format->if_object();
    const auto type = f ? string_member(*f, "type") : std::nullopt;
    if (!type || (*type != "text" && *type != "json_object" && *type != "json_schema")) {
        error = invalid("Invalid value: '" + std::string(type.value_or("")) +
                            "'. Supported values are: 'text', 'json_object', and 'json_schema'.",
                        "response_format.type", "invalid_value");
        return false;
    }
    if (*type == "text") return true;
    if (*type == "json_object") {
        std::string lowered = prompt.all_text;
        for (char &c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lowered.find("json") == std::string::npos) {
            error = invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                            "'json_object'.",
                            "messages");
            return false;
        }
        prompt.json_response = true;
        return true;
    }
    const auto *js = f->if_contains("json_schema");
    const auto *spec = js ? js->if_object() : nullptr;
    if (!spec || !string_member(*spec, "name")) {
        error = invalid("Missing required parameter: 'response_format.json_schema.name'.",
                        "response_format.json_schema.name", "missing_required_parameter");
        return false;
    }
    const auto *schema = spec->if_contains("schema");
    if (schema && !schema->is_object()) {
        error = invalid("Invalid type for 'response_format.json_schema.schema': expected an object.",
                        "response_format.json_schema.schema", "invalid_type");
        return false;
    }
    prompt.json_response = true;
    if (schema) prompt.response_schema = *schema;
    return true;
}

std::optional<ChatRequest> parse_chat_request(std::string_view body, ApiError &error, bool require_model) {
    boost::system::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) {
        error = invalid("We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
                        "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was "
                        "not valid JSON. If you have trouble figuring out how to fix this, please contact us through "
                        "our help center at help.openai.com.)");
        return std::nullopt;
    }
    const auto &root = doc.get_object();
    ChatRequest req;
    const auto model = string_member(root, "model");
    if ((!model || model->empty()) && require_model) {
        error = invalid("you must provide a model parameter");
        return std::nullopt;
    }
    if (model) req.prompt.model = std::string(*model);
    if (!parse_messages(root, req.prompt, error) || !parse_tools(root, req.prompt, error) ||
        !parse_response_format(root, req.prompt, error))
        return std::nullopt;

    for (const std::string_view key : {"max_completion_tokens", "max_tokens"}) {
        const auto *v = root.if_contains(key);
        if (!v || v->is_null()) continue;
        const auto n = uint_member(root, key);
        if (!n || *n < 1) {
            error = invalid("Invalid '" + std::string(key) + "': integer below minimum value. Expected a value >= 1.",
                            std::string(key), "integer_below_min_value");
            return std::nullopt;
        }
        if (!req.prompt.max_tokens) req.prompt.max_tokens = *n;
    }
    if (const auto *s = root.if_contains("stream"); s && !s->is_null()) {
        if (!s->is_bool()) {
            error = invalid("Invalid type for 'stream': expected a boolean, but got " + std::string(kind_of(*s)) +
                                " instead.",
                            "stream", "invalid_type");
            return std::nullopt;
        }
        req.stream = s->get_bool();
    }
    if (const auto *so = root.if_contains("stream_options"); so && !so->is_null()) {
        if (!req.stream) {
            error = invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                            "stream_options");
            return std::nullopt;
        }
        if (so->is_object()) req.include_usage = bool_member(so->get_object(), "include_usage").value_or(false);
    }
    return req;
}

std::string error_body(const ApiError &error) {
    json::object inner;
    inner["message"] = error.message;
    inner["type"] = error.type;
    inner["param"] = error.param ? json::value(*error.param) : json::value(nullptr);
    inner["code"] = error.code ? json::value(*error.code) : json::value(nullptr);
    return json::serialize(json::object{{"error", std::move(inner)}});
}

std::string finish_reason(FinishReason finish) {
    switch (finish) {
    case FinishReason::stop: return "stop";
    case FinishReason::length: return "length";
    case FinishReason::tool_call: return "tool_calls";
    }
    return "stop";
}

const Dialect &openai_dialect() {
    static const Dialect dialect;
    return dialect;
}

std::string completion_body(const Reply &reply, const ReplyMeta &meta, const Dialect &dialect) {
    json::object message;
    message["role"] = "assistant";
    if (reply.tool_call) {
        message["content"] = nullptr;
        message["refusal"] = nullptr;
        const auto &call = *reply.tool_call;
        message["tool_calls"] = json::array{json::object{
            {"id", "call_" + call.id_suffix},
            {"type", "function"},
            {"function", json::object{{"name", call.name}, {"arguments", call.arguments}}}}};
    } else {
        message["content"] = reply.text();
        message["refusal"] = nullptr;
    }
    message["annotations"] = json::array();
    json::object choice{{"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr},
                        {"finish_reason", dialect.finish(reply)}};
    dialect.on_choice(choice, Dialect::Part::message);
    json::object body;
    body["id"] = meta.id;
    body["object"] = "chat.completion";
    body["created"] = meta.created;
    body["model"] = meta.model;
    body["choices"] = json::array{std::move(choice)};
    body["usage"] = usage_object(reply);
    body["service_tier"] = "default";
    body["system_fingerprint"] = kSystemFingerprint;
    dialect.on_completion(body);
    return json::serialize(body);
}

ChunkStream::ChunkStream(const Reply &reply, ReplyMeta meta, bool include_usage, const Dialect &dialect)
    : reply_(reply), meta_(std::move(meta)), include_usage_(include_usage), dialect_(dialect) {
    if (reply_.tool_call) fragments_ = split_fragments(reply_.tool_call->arguments, kArgumentFragmentBytes);
}

std::size_t ChunkStream::token_frames() const {
    return reply_.tool_call ? fragments_.size() : reply_.pieces.size();
}

std::string ChunkStream::chunk(json::object delta, std::string_view finish, Dialect::Part part) const {
    json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr},
                        {"finish_reason", finish.empty() ? json::value(nullptr) : json::value(finish)}};
    dialect_.on_choice(choice, part);
    json::object body;
    body["id"] = meta_.id;
    body["object"] = "chat.completion.chunk";
    body["created"] = meta_.created;
    body["model"] = meta_.model;
    body["service_tier"] = "default";
    body["system_fingerprint"] = kSystemFingerprint;
    body["choices"] = json::array{std::move(choice)};
    if (include_usage_) body["usage"] = nullptr;
    return sse_data(json::serialize(body));
}

bool ChunkStream::next(Frame &frame) {
    frame.token = false;
    switch (step_) {
    case Step::prelude:
        step_ = Step::first;
        frame.bytes = dialect_.prelude(meta_);
        if (!frame.bytes.empty()) return true;
        [[fallthrough]];
    case Step::first: {
        json::object delta{{"role", "assistant"}};
        if (reply_.tool_call) {
            const auto &call = *reply_.tool_call;
            delta["content"] = nullptr;
            delta["tool_calls"] = json::array{json::object{
                {"index", 0},
                {"id", "call_" + call.id_suffix},
                {"type", "function"},
                {"function", json::object{{"name", call.name}, {"arguments", ""}}}}};
        } else {
            delta["content"] = "";
        }
        delta["refusal"] = nullptr;
        frame.bytes = chunk(std::move(delta), {}, Dialect::Part::first_delta);
        step_ = Step::tokens;
        return true;
    }
    case Step::tokens:
        if (index_ < token_frames()) {
            json::object delta;
            if (reply_.tool_call) {
                delta["tool_calls"] = json::array{
                    json::object{{"index", 0}, {"function", json::object{{"arguments", fragments_[index_]}}}}};
            } else {
                delta["content"] = reply_.pieces[index_];
            }
            ++index_;
            frame.bytes = chunk(std::move(delta), {}, Dialect::Part::token_delta);
            frame.token = true;
            return true;
        }
        step_ = Step::finish;
        [[fallthrough]];
    case Step::finish:
        frame.bytes = chunk(json::object(), dialect_.finish(reply_), Dialect::Part::finish);
        step_ = include_usage_ ? Step::usage : Step::done;
        return true;
    case Step::usage: {
        json::object body;
        body["id"] = meta_.id;
        body["object"] = "chat.completion.chunk";
        body["created"] = meta_.created;
        body["model"] = meta_.model;
        body["service_tier"] = "default";
        body["system_fingerprint"] = kSystemFingerprint;
        body["choices"] = json::array();
        body["usage"] = usage_object(reply_);
        frame.bytes = sse_data(json::serialize(body));
        step_ = Step::done;
        return true;
    }
    case Step::done:
        frame.bytes = sse_data("[DONE]");
        step_ = Step::end;
        return true;
    case Step::end: return false;
    }
    return false;
}

std::string malformed_chunk(const ReplyMeta &meta) {
    return sse_data(R"({"id":")" + meta.id + R"(","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"trunc)");
}

std::string models_body() {
    json::array data;
    for (const auto &m : kModels) data.push_back(model_object(m));
    return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

std::optional<std::string> model_body(std::string_view id) {
    for (const auto &m : kModels) {
        if (m.id == id) return json::serialize(model_object(m));
    }
    return std::nullopt;
}

} // namespace helix::cloudsim::openai
