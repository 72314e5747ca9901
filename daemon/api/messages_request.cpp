#include "daemon/api/messages_request.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/json_fields.hpp"

#include <helixagent/plugin_abi.h>

#include <exception>
#include <new>

namespace helix::api {

namespace json = boost::json;
using namespace fields; // NOLINT: the field checks are this parser's vocabulary

namespace {

constexpr std::size_t kMaxStopSequences = 8191;

class Checker {
public:
    std::uint32_t required = 0;

    void system(const json::value &v, const Path &path) {
        if (v.is_string()) return;
        const json::array &blocks = as_array(v, path);
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            const Path p = path.at(i);
            const json::object &b = as_object(blocks[i], p);
            const std::string_view type = as_string(required_member(b, "type", p), p.child("type"));
            if (type != "text") fail_value(p.child("type"), type, {"text"});
            as_string(required_member(b, "text", p), p.child("text"));
            cache_control(b, p);
        }
    }

    void message(const json::value &v, const Path &path) {
        const json::object &m = as_object(v, path);
        const std::string_view role = as_string(required_member(m, "role", path), path.child("role"));
        if (role != "user" && role != "assistant") fail_value(path.child("role"), role, {"user", "assistant"});
        const json::value &content = required_member(m, "content", path);
        const Path cp = path.child("content");
        if (content.is_string()) return;
        const json::array &blocks = as_array(content, cp);
        for (std::size_t i = 0; i < blocks.size(); ++i) block(blocks[i], cp.at(i), role == "assistant", false);
    }

    void tool(const json::value &v, const Path &path) {
        const json::object &t = as_object(v, path);
        const json::value *type = optional(t, "type");
        // Server tools (web_search_20250305, bash_20250124, ...) carry a versioned type.
        if (type != nullptr && as_string(*type, path.child("type")) != "custom") {
            as_string(required_member(t, "name", path), path.child("name"));
            return;
        }
        non_empty_string(required_member(t, "name", path), path.child("name"));
        if (const json::value *d = optional(t, "description")) as_string(*d, path.child("description"));
        as_object(required_member(t, "input_schema", path), path.child("input_schema"));
        cache_control(t, path);
    }

    void tool_choice(const json::value &v, const Path &path) {
        const json::object &c = as_object(v, path);
        const std::string_view type = as_string(required_member(c, "type", path), path.child("type"));
        if (type == "tool") {
            non_empty_string(required_member(c, "name", path), path.child("name"));
        } else if (type != "auto" && type != "any" && type != "none") {
            fail_value(path.child("type"), type, {"auto", "any", "tool", "none"});
        }
        if (const json::value *d = optional(c, "disable_parallel_tool_use")) as_bool(*d, path.child("disable_parallel_tool_use"));
    }

    void thinking(const json::value &v, const Path &path) {
        const json::object &t = as_object(v, path);
        const std::string_view type = as_string(required_member(t, "type", path), path.child("type"));
        if (type == "enabled") {
            as_integer_in(required_member(t, "budget_tokens", path), path.child("budget_tokens"), 1024, INT32_MAX);
        } else if (type != "disabled" && type != "adaptive") {
            fail_value(path.child("type"), type, {"enabled", "disabled", "adaptive"});
        }
    }

private:
    // {"type": "ephemeral", "ttl": "5m" | "1h"}: what every provider that
    // caches by breakpoints takes (Anthropic, Bedrock's cachePoint).
    static void cache_control(const json::object &b, const Path &path) {
        const json::value *v = optional(b, "cache_control");
        if (v == nullptr) return;
        const Path cp = path.child("cache_control");
        const json::object &cc = as_object(*v, cp);
        const std::string_view type = as_string(required_member(cc, "type", cp), cp.child("type"));
        if (type != "ephemeral") fail_value(cp.child("type"), type, {"ephemeral"});
        if (const json::value *t = optional(cc, "ttl")) {
            const std::string_view ttl = as_string(*t, cp.child("ttl"));
            if (ttl != "5m" && ttl != "1h") fail_value(cp.child("ttl"), ttl, {"5m", "1h"});
        }
    }

    static const json::value &required_member(const json::object &o, std::string_view key, const Path &path) {
        return fields::required(o, key, path.child(key));
    }

    static void source(const json::object &b, const Path &path) {
        const Path sp = path.child("source");
        const json::object &s = as_object(required_member(b, "source", path), sp);
        const std::string_view type = as_string(required_member(s, "type", sp), sp.child("type"));
        if (type == "base64") {
            as_string(required_member(s, "media_type", sp), sp.child("media_type"));
            as_string(required_member(s, "data", sp), sp.child("data"));
        } else if (type == "url") {
            non_empty_string(required_member(s, "url", sp), sp.child("url"));
        } else if (type == "file") {
            non_empty_string(required_member(s, "file_id", sp), sp.child("file_id"));
        } else if (type != "text" && type != "content") {
            fail_value(sp.child("type"), type, {"base64", "url", "file", "text", "content"});
        }
    }

    void block(const json::value &v, const Path &path, bool assistant, bool nested) {
        const json::object &b = as_object(v, path);
        const std::string_view type = as_string(required_member(b, "type", path), path.child("type"));
        if (type == "text") {
            as_string(required_member(b, "text", path), path.child("text"));
        } else if (type == "image") {
            source(b, path);
            required |= HELIX_MODEL_VISION;
        } else if (type == "document") {
            source(b, path);
        } else if (type == "tool_use" && !nested) {
            if (!assistant) fail(path.child("type"), "tool_use blocks belong to assistant messages", "invalid_value");
            non_empty_string(required_member(b, "id", path), path.child("id"));
            non_empty_string(required_member(b, "name", path), path.child("name"));
            as_object(required_member(b, "input", path), path.child("input"));
            required |= HELIX_MODEL_TOOLS;
        } else if (type == "tool_result" && !nested) {
            if (assistant) fail(path.child("type"), "tool_result blocks belong to user messages", "invalid_value");
            non_empty_string(required_member(b, "tool_use_id", path), path.child("tool_use_id"));
            if (const json::value *c = optional(b, "content"); c != nullptr && !c->is_string()) {
                const json::array &inner = as_array(*c, path.child("content"));
                for (std::size_t i = 0; i < inner.size(); ++i) block(inner[i], path.child("content").at(i), false, true);
            }
            if (const json::value *e = optional(b, "is_error")) as_bool(*e, path.child("is_error"));
            required |= HELIX_MODEL_TOOLS;
        } else if (type == "thinking" && !nested) {
            as_string(required_member(b, "thinking", path), path.child("thinking"));
            as_string(required_member(b, "signature", path), path.child("signature"));
        } else if (type == "redacted_thinking" && !nested) {
            as_string(required_member(b, "data", path), path.child("data"));
        }
        // Other types (search_result, server tool blocks, newer ones): the upstream judges them.
        cache_control(b, path);
    }
};

void parse(const std::string &body, bool count_tokens, std::string &model, bool &stream, std::uint32_t &required_bits,
           json::value &doc) {
    doc = parse_body(body);
    const json::object &root = doc.get_object();
    const Path top;
    model = std::string(model_field(root, top));
    Checker check;
    const json::array &messages = non_empty_array(required(root, "messages", top.child("messages")), top.child("messages"), "messages");
    for (std::size_t i = 0; i < messages.size(); ++i) check.message(messages[i], top.child("messages").at(i));
    if (!count_tokens) as_integer_in(required(root, "max_tokens", top.child("max_tokens")), top.child("max_tokens"), 1, INT32_MAX);
    if (const json::value *v = optional(root, "system")) check.system(*v, top.child("system"));
    if (const json::value *v = optional(root, "tools")) {
        const json::array &tools = as_array(*v, top.child("tools"));
        for (std::size_t i = 0; i < tools.size(); ++i) check.tool(tools[i], top.child("tools").at(i));
        if (!tools.empty()) check.required |= HELIX_MODEL_TOOLS;
    }
    if (const json::value *v = optional(root, "tool_choice")) check.tool_choice(*v, top.child("tool_choice"));
    if (const json::value *v = optional(root, "thinking")) check.thinking(*v, top.child("thinking"));
    if (!count_tokens) {
        if (const json::value *v = optional(root, "stream")) stream = as_bool(*v, top.child("stream"));
        if (const json::value *v = optional(root, "temperature")) as_number_in(*v, top.child("temperature"), 0, 1);
        if (const json::value *v = optional(root, "top_p")) as_number_in(*v, top.child("top_p"), 0, 1);
        if (const json::value *v = optional(root, "top_k")) as_integer_in(*v, top.child("top_k"), 0, INT32_MAX);
        if (const json::value *v = optional(root, "metadata")) as_object(*v, top.child("metadata"));
        if (const json::value *v = optional(root, "stop_sequences")) {
            const json::array &stops = as_array(*v, top.child("stop_sequences"));
            if (stops.size() > kMaxStopSequences)
                fail(top.child("stop_sequences"), "too many stop sequences", "array_above_max_length");
            for (std::size_t i = 0; i < stops.size(); ++i) as_string(stops[i], top.child("stop_sequences").at(i));
        }
    }
    if (stream) check.required |= HELIX_MODEL_STREAMING;
    required_bits = check.required;
}

} // namespace

std::variant<MessagesRequest, ApiError> parse_messages_request(std::string body, bool count_tokens) {
    try {
        MessagesRequest r;
        r.count_tokens_ = count_tokens;
        parse(body, count_tokens, r.model_, r.stream_, r.required_, r.doc_);
        r.body_ = std::move(body);
        return r;
    } catch (const Invalid &e) {
        return e.error;
    } catch (const std::bad_alloc &) {
        return ApiError{500, "The gateway ran out of memory reading the request.", "server_error", "", ""};
    } catch (const std::exception &) {
        return invalid_request("The request body could not be read.");
    }
}

} // namespace helix::api
