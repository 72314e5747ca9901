#include "daemon/api/token_estimate.hpp"

#include <boost/json.hpp>

namespace helix::api {

namespace {

namespace json = boost::json;

constexpr std::int64_t kPerMessage = 3;
constexpr std::int64_t kPerImage = 1600;

struct Counter {
    std::int64_t chars = 0;
    std::int64_t fixed = 0;

    void text(const json::value *v) {
        if (v != nullptr && v->is_string()) chars += static_cast<std::int64_t>(v->get_string().size());
    }
    void value(const json::value *v) {
        if (v != nullptr && !v->is_null()) chars += static_cast<std::int64_t>(json::serialize(*v).size());
    }
    void blocks(const json::value &content) {
        if (content.is_string()) return text(&content);
        if (!content.is_array()) return;
        for (const auto &bv : content.get_array()) {
            const json::object *b = bv.if_object();
            if (b == nullptr) continue;
            const json::value *type = b->if_contains("type");
            const std::string_view t = type != nullptr && type->is_string() ? std::string_view(type->get_string()) : "";
            if (t == "image" || t == "document") {
                fixed += kPerImage;
            } else if (t == "tool_use") {
                text(b->if_contains("name"));
                value(b->if_contains("input"));
            } else if (t == "tool_result") {
                if (const json::value *c = b->if_contains("content")) blocks(*c);
            } else if (t == "thinking") {
                text(b->if_contains("thinking"));
            } else {
                text(b->if_contains("text"));
            }
        }
    }
};

} // namespace

std::int64_t estimate_input_tokens(const json::object &r) {
    Counter c;
    if (const json::value *s = r.if_contains("system")) c.blocks(*s);
    if (const json::value *m = r.if_contains("messages"); m != nullptr && m->is_array())
        for (const auto &turn : m->get_array()) {
            c.fixed += kPerMessage;
            if (const json::object *o = turn.if_object())
                if (const json::value *content = o->if_contains("content")) c.blocks(*content);
        }
    if (const json::value *t = r.if_contains("tools"); t != nullptr && t->is_array())
        for (const auto &tool : t->get_array())
            if (const json::object *o = tool.if_object()) {
                c.text(o->if_contains("name"));
                c.text(o->if_contains("description"));
                c.value(o->if_contains("input_schema"));
            }
    return c.fixed + (c.chars + 3) / 4;
}

} // namespace helix::api
