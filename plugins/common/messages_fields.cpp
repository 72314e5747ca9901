#include "plugins/common/messages_fields.hpp"

#include <boost/json/parse.hpp>

#include <iterator>

namespace helix::plugin_common {

const std::vector<std::string> &messages_fields(MessagesUpstream upstream) {
    static const std::vector<std::string> anthropic{
        "model",       "messages", "max_tokens",  "system",      "metadata",           "stop_sequences", "stream",
        "temperature", "top_p",    "top_k",       "tools",       "tool_choice",        "thinking",
        "context_management", "output_config"};
    static const std::vector<std::string> count_tokens{"model",    "messages",           "system",       "tools",
                                                       "tool_choice", "thinking", "context_management", "output_config"};
    // What Claude on Bedrock and on Vertex accepts besides the version.
    static const std::vector<std::string> bedrock{"messages", "max_tokens", "system",      "metadata", "stop_sequences",
                                                  "temperature", "top_p",   "top_k",       "tools",    "tool_choice",
                                                  "thinking"};
    static const std::vector<std::string> vertex{"messages", "max_tokens", "system",      "metadata", "stop_sequences",
                                                 "stream",   "temperature", "top_p",      "top_k",    "tools",
                                                 "tool_choice", "thinking"};
    switch (upstream) {
    case MessagesUpstream::anthropic: return anthropic;
    case MessagesUpstream::anthropic_count_tokens: return count_tokens;
    case MessagesUpstream::bedrock: return bedrock;
    case MessagesUpstream::vertex: return vertex;
    }
    return anthropic;
}

boost::json::object messages_body_for(std::string_view body, MessagesUpstream upstream, const ForwardedFields &policy) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        throw helix::sdk::Error(HELIX_ERR_INVALID_REQUEST, "the request body is not a JSON object", 400);
    keep_messages_fields(v.get_object(), upstream, policy);
    return std::move(v.get_object());
}

void keep_messages_fields(boost::json::object &body, MessagesUpstream upstream, const ForwardedFields &policy) {
    keep_listed_fields(body, messages_fields(upstream), policy);
    // Anthropic's metadata has one member; the Claude upstreams refuse any other.
    if (auto *metadata = body.if_contains("metadata"); metadata != nullptr && metadata->is_object()) {
        auto &m = metadata->get_object();
        for (auto it = m.begin(); it != m.end();) it = it->key() == "user_id" ? std::next(it) : m.erase(it);
    }
}

} // namespace helix::plugin_common
