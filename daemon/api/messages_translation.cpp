#include "daemon/api/messages_translation.hpp"

#include "daemon/api/errors.hpp"
#include "daemon/api/media_source.hpp"

#include <boost/json.hpp>

#include <string>

namespace helix::api {

namespace {

namespace json = boost::json;

struct Refused {
    ApiError error;
};

[[noreturn]] void refuse(const std::string &param, const std::string &what) {
    throw Refused{invalid_request(what + " cannot be translated for this model (it does not speak Anthropic's "
                                         "Messages API); a Claude model serves it.",
                                  param, "unsupported_value")};
}

std::string path(std::size_t message, std::size_t block) {
    return "messages[" + std::to_string(message) + "].content[" + std::to_string(block) + "]";
}

std::string_view str_of(const json::object &o, std::string_view key) {
    const json::value *v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

// The first cache_control of `blocks` (Anthropic content blocks), or null.
const json::value *cache_control_of(const json::array &blocks) {
    for (const auto &b : blocks)
        if (const json::value *cc = b.as_object().if_contains("cache_control")) return cc;
    return nullptr;
}

// A chat part for `block`, with the block's cache_control.
json::object with_cache_control(json::object part, const json::object &block) {
    if (const json::value *cc = block.if_contains("cache_control")) part["cache_control"] = *cc;
    return part;
}

// The block's source object; a block without one is refused as `what`.
const json::object &source_of(const json::object &block, const std::string &param, const std::string &what) {
    const json::value *sv = block.if_contains("source");
    const json::object *source = sv != nullptr ? sv->if_object() : nullptr;
    if (source == nullptr) refuse(param, what);
    return *source;
}

// A base64 source as a data: URL.
std::string data_url_of(const json::object &source) {
    return "data:" + std::string(str_of(source, "media_type")) + ";base64," + std::string(str_of(source, "data"));
}

json::value image_part(const json::object &block, const std::string &param) {
    const json::object &source = source_of(block, param, "This image");
    const std::string_view type = str_of(source, "type");
    std::string url;
    if (type == "base64")
        url = data_url_of(source);
    else if (type == "url")
        url = std::string(str_of(source, "url"));
    else
        refuse(param + ".source.type", "An image of source type '" + std::string(type) + "'");
    return with_cache_control(json::object{{"type", "image_url"}, {"image_url", json::object{{"url", url}}}}, block);
}

// A document block as a chat file part: base64 -> file_data (a data: URL),
// text -> a text/plain file_data, url -> file_url, its title the filename.
json::value document_part(const json::object &block, const std::string &param) {
    const json::object &source = source_of(block, param, "This document");
    const std::string_view type = str_of(source, "type");
    json::object file;
    if (type == "base64") {
        file["file_data"] = data_url_of(source);
    } else if (type == "text") {
        file["file_data"] = "data:text/plain;base64," + base64_encode(str_of(source, "data"));
    } else if (type == "url") {
        file["file_url"] = str_of(source, "url");
    } else {
        refuse(param + ".source.type", "A document of source type '" + std::string(type) + "'");
    }
    if (const auto title = str_of(block, "title"); !title.empty()) file["filename"] = title;
    return with_cache_control(json::object{{"type", "file"}, {"file", std::move(file)}}, block);
}

// The text of a tool_result's content (a string or text blocks).
std::string tool_result_text(const json::object &block, const std::string &param) {
    const json::value *c = block.if_contains("content");
    if (c == nullptr || c->is_null()) return {};
    if (c->is_string()) return std::string(c->get_string());
    std::string text;
    const json::array &inner = c->as_array();
    for (std::size_t i = 0; i < inner.size(); ++i) {
        const json::object &b = inner[i].as_object();
        if (str_of(b, "type") != "text") refuse(param + ".content[" + std::to_string(i) + "]", "A tool result that is not text");
        if (!text.empty()) text += '\n';
        text += str_of(b, "text");
    }
    return text;
}

void user_turn(const json::value &content, std::size_t index, json::array &out) {
    if (content.is_string()) {
        out.push_back(json::object{{"role", "user"}, {"content", content}});
        return;
    }
    json::array parts;
    bool images = false; // or documents: parts that are not text
    bool cached = false; // a breakpoint on a part keeps the parts apart
    const json::array &blocks = content.as_array();
    for (std::size_t j = 0; j < blocks.size(); ++j) {
        const json::object &b = blocks[j].as_object();
        const std::string_view type = str_of(b, "type");
        if (type == "text") {
            parts.push_back(with_cache_control(json::object{{"type", "text"}, {"text", b.at("text")}}, b));
            cached = cached || b.contains("cache_control");
        } else if (type == "image") {
            parts.push_back(image_part(b, path(index, j)));
            images = true;
        } else if (type == "document") {
            parts.push_back(document_part(b, path(index, j)));
            images = true;
        } else if (type == "tool_result") {
            std::string text = tool_result_text(b, path(index, j));
            if (const json::value *e = b.if_contains("is_error"); e != nullptr && e->is_bool() && e->get_bool())
                text = "Error: " + text;
            json::object result{{"role", "tool"}, {"tool_call_id", b.at("tool_use_id")}, {"content", text}};
            const json::value *cc = b.if_contains("cache_control");
            if (const json::value *inner = b.if_contains("content"); cc == nullptr && inner != nullptr && inner->is_array())
                cc = cache_control_of(inner->get_array());
            if (cc != nullptr) result["cache_control"] = *cc;
            out.push_back(std::move(result));
        } else {
            refuse(path(index, j) + ".type", "A '" + std::string(type) + "' block");
        }
    }
    if (parts.empty()) return;
    if (!images && !cached) { // plain text reads best for every provider
        std::string text;
        for (const auto &p : parts) {
            if (!text.empty()) text += '\n';
            text += p.as_object().at("text").as_string();
        }
        out.push_back(json::object{{"role", "user"}, {"content", text}});
        return;
    }
    out.push_back(json::object{{"role", "user"}, {"content", std::move(parts)}});
}

void assistant_turn(const json::value &content, std::size_t index, json::array &out) {
    if (content.is_string()) {
        out.push_back(json::object{{"role", "assistant"}, {"content", content}});
        return;
    }
    std::string text;
    json::array calls;
    const json::array &blocks = content.as_array();
    for (std::size_t j = 0; j < blocks.size(); ++j) {
        const json::object &b = blocks[j].as_object();
        const std::string_view type = str_of(b, "type");
        if (type == "text") {
            text += str_of(b, "text");
        } else if (type == "tool_use") {
            calls.push_back(json::object{{"id", b.at("id")},
                                         {"type", "function"},
                                         {"function", json::object{{"name", b.at("name")},
                                                                   {"arguments", json::serialize(b.at("input"))}}}});
        } else if (type != "thinking" && type != "redacted_thinking") {
            refuse(path(index, j) + ".type", "A '" + std::string(type) + "' block");
        }
    }
    json::object m{{"role", "assistant"}};
    m["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text);
    if (const json::value *cc = cache_control_of(blocks)) m["cache_control"] = *cc; // a breakpoint after the turn
    if (!calls.empty()) m["tool_calls"] = std::move(calls);
    out.push_back(std::move(m));
}

json::object chat_body(const json::object &r) {
    json::object chat;
    chat["model"] = r.at("model");
    json::array messages;
    if (const json::value *s = r.if_contains("system"); s != nullptr && !s->is_null()) {
        std::string text;
        if (s->is_array() && cache_control_of(s->as_array()) != nullptr) {
            // Breakpoints in the system prompt: its blocks stay apart.
            json::array parts;
            for (const auto &b : s->as_array())
                parts.push_back(with_cache_control(json::object{{"type", "text"}, {"text", b.as_object().at("text")}},
                                                   b.as_object()));
            messages.push_back(json::object{{"role", "system"}, {"content", std::move(parts)}});
        } else if (s->is_string()) {
            text = s->get_string();
        } else {
            for (const auto &b : s->as_array()) {
                if (!text.empty()) text += '\n';
                text += b.as_object().at("text").as_string();
            }
        }
        if (!text.empty()) messages.push_back(json::object{{"role", "system"}, {"content", text}});
    }
    const json::array &turns = r.at("messages").as_array();
    for (std::size_t i = 0; i < turns.size(); ++i) {
        const json::object &m = turns[i].as_object();
        if (m.at("role").as_string() == "user")
            user_turn(m.at("content"), i, messages);
        else
            assistant_turn(m.at("content"), i, messages);
    }
    chat["messages"] = std::move(messages);
    if (const json::value *v = r.if_contains("max_tokens")) chat["max_tokens"] = *v;
    for (const char *key : {"temperature", "top_p"})
        if (const json::value *v = r.if_contains(key); v != nullptr && !v->is_null()) chat[key] = *v;
    if (const json::value *v = r.if_contains("stop_sequences"); v != nullptr && !v->is_null()) {
        if (v->as_array().size() > kMaxStop)
            refuse("stop_sequences", "More than " + std::to_string(kMaxStop) + " stop sequences");
        if (!v->as_array().empty()) chat["stop"] = *v;
    }
    if (const json::value *v = r.if_contains("stream"); v != nullptr && v->is_bool() && v->get_bool()) {
        chat["stream"] = true;
        chat["stream_options"] = json::object{{"include_usage", true}};
    }
    if (const json::value *v = r.if_contains("metadata"); v != nullptr && v->is_object())
        if (const auto user = str_of(v->get_object(), "user_id"); !user.empty()) chat["user"] = user;
    if (const json::value *v = r.if_contains("tools"); v != nullptr && v->is_array() && !v->as_array().empty()) {
        json::array tools;
        const json::array &list = v->as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            const json::object &t = list[i].as_object();
            if (const auto type = str_of(t, "type"); !type.empty() && type != "custom")
                refuse("tools[" + std::to_string(i) + "].type", "The server tool '" + std::string(type) + "'");
            json::object function{{"name", t.at("name")}, {"parameters", t.at("input_schema")}};
            if (const json::value *d = t.if_contains("description"); d != nullptr && d->is_string())
                function["description"] = *d;
            tools.push_back(with_cache_control(json::object{{"type", "function"}, {"function", std::move(function)}}, t));
        }
        chat["tools"] = std::move(tools);
    }
    if (const json::value *v = r.if_contains("tool_choice"); v != nullptr && v->is_object()) {
        const json::object &c = v->get_object();
        const std::string_view type = str_of(c, "type");
        if (type == "any")
            chat["tool_choice"] = "required";
        else if (type == "tool")
            chat["tool_choice"] = json::object{{"type", "function"}, {"function", json::object{{"name", c.at("name")}}}};
        else
            chat["tool_choice"] = type; // auto, none
        if (const json::value *p = c.if_contains("disable_parallel_tool_use");
            p != nullptr && p->is_bool() && p->get_bool() && chat.contains("tools"))
            chat["parallel_tool_calls"] = false;
    }
    return chat;
}

} // namespace

std::variant<ChatRequest, ApiError> translate_messages_to_chat(const json::object &request) {
    try {
        auto parsed = parse_chat_request(json::serialize(chat_body(request)));
        if (auto *error = std::get_if<ApiError>(&parsed)) return std::move(*error);
        return std::move(std::get<ChatRequest>(parsed));
    } catch (const Refused &r) {
        return r.error;
    } catch (const std::exception &) {
        return invalid_request("The request could not be translated for this model.");
    }
}

} // namespace helix::api
