#include "plugins/common/messages_relay.hpp"

#include "plugins/common/json_access.hpp"
#include "plugins/common/response_decoder.hpp"

#include <boost/json.hpp>

namespace helix::plugin_common {

namespace pj = helix::plugin_common::json;

void MessagesRelay::event(std::string_view data, helix::sdk::EventSink &events) {
    const boost::json::value v = parse_json_or_throw(data, "stream event");
    const boost::json::object *o = v.if_object();
    const std::string_view type = o != nullptr ? pj::string_or_empty(*o, "type") : std::string_view{};
    if (type.empty()) throw_protocol_error("the upstream sent a stream event without a type");
    if (type == "error") {
        on_error_(o->if_contains("error"));
        throw_protocol_error("the upstream reported an error"); // on_error throws; never reached
    }
    if (type == "message_stop") stopped_ = true;
    events.messages(type, data);
}

void MessagesRelay::body(const boost::json::value &body, bool count_tokens, helix::sdk::EventSink &events) {
    const boost::json::object *o = body.if_object();
    if (o == nullptr) throw_protocol_error("the upstream's reply is not a JSON object");
    if (pj::string_or_empty(*o, "type") == "error") {
        on_error_(o->if_contains("error"));
        throw_protocol_error("the upstream reported an error");
    }
    if (count_tokens) {
        if (!pj::int_member(*o, "input_tokens")) throw_protocol_error("the upstream's token count has no input_tokens");
        events.messages("count_tokens", boost::json::serialize(body));
        return;
    }
    if (pj::array_member(*o, "content") == nullptr) throw_protocol_error("the upstream's message has no \"content\" list");
    events.messages("message", boost::json::serialize(body));
}

void MessagesRelay::end_stream() const {
    if (!stopped_) throw_protocol_error("the upstream's stream ended before message_stop");
}

} // namespace helix::plugin_common
