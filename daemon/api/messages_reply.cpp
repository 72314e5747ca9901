#include "daemon/api/messages_reply.hpp"

#include "daemon/api/sse_frame.hpp"

#include <boost/json.hpp>

namespace helix::api {

namespace {

namespace json = boost::json;

std::int64_t int_of(const json::object &o, std::string_view key) {
    const json::value *v = o.if_contains(key);
    if (v == nullptr) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    return 0;
}

void read_usage(const json::object *usage, MessagesUsage &out) {
    if (usage == nullptr) return;
    const std::int64_t input =
        int_of(*usage, "input_tokens") + int_of(*usage, "cache_read_input_tokens") + int_of(*usage, "cache_creation_input_tokens");
    if (input > 0) {
        out.input_tokens = input;
        out.cache_read_tokens = int_of(*usage, "cache_read_input_tokens");
        out.cache_write_tokens = int_of(*usage, "cache_creation_input_tokens");
    }
    if (usage->contains("output_tokens")) out.output_tokens = int_of(*usage, "output_tokens"); // cumulative
}

const json::object *object_at(const json::object &o, std::string_view key) {
    const json::value *v = o.if_contains(key);
    return v != nullptr ? v->if_object() : nullptr;
}

} // namespace

std::optional<std::string> MessagesPassthrough::add(const helix_event &event) {
    if (event.type != HELIX_EVENT_MESSAGES) return std::nullopt;
    const std::string_view name(event.name.data, event.name.len);
    const std::string_view data(event.json.data, event.json.len);
    if (name != "message" && name != "message_start" && name != "message_delta") return std::string(data);
    boost::system::error_code ec;
    json::value v = json::parse(data, ec);
    if (ec || !v.is_object()) return std::string(data); // the plugin checked it; pass on what came
    json::object &o = v.get_object();
    if (name == "message_delta") {
        read_usage(object_at(o, "usage"), usage_);
        return std::string(data);
    }
    json::object *message = &o;
    if (name == "message_start") {
        json::value *m = o.if_contains("message");
        message = m != nullptr ? m->if_object() : nullptr;
        if (message == nullptr) return std::string(data);
    }
    read_usage(object_at(*message, "usage"), usage_);
    (*message)["model"] = model_;
    return json::serialize(v);
}

std::string anthropic_sse(std::string_view payload) {
    std::string type = "message";
    boost::system::error_code ec;
    const json::value v = json::parse(payload, ec);
    if (!ec && v.is_object())
        if (const json::value *t = v.get_object().if_contains("type"); t != nullptr && t->is_string())
            type = std::string(t->get_string());
    return sse_event(type, payload);
}

} // namespace helix::api
