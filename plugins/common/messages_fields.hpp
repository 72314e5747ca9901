#pragma once
// Which top-level members of a client's Anthropic Messages body a plugin
// passes on to a Claude upstream (HELIX_OP_MESSAGES). The rule is the chat
// path's (forwarded_fields.hpp): Anthropic's documented request fields that
// change neither where data is kept nor what is billed go on, every other
// member is dropped (not refused: as on chat completions, an unknown field
// is ignored), and an operator adds more per provider with `extra_fields`.
//
// Left out on purpose: service_tier (billing), container (state kept at the
// provider), mcp_servers (the provider reaches other servers with
// credentials named in the request). Bedrock's InvokeModel and Vertex's
// rawPredict refuse members they do not know ("extraneous key"), so their
// lists are what they accept; the plugin then writes anthropic_version (and
// Bedrock's anthropic_beta) itself. `metadata` keeps only user_id, the one
// member Anthropic defines (Bedrock refuses any other).

#include "plugins/common/forwarded_fields.hpp"

#include <string>
#include <vector>

namespace helix::plugin_common {

enum class MessagesUpstream {
    anthropic,              // POST /v1/messages of Anthropic's API
    anthropic_count_tokens, // POST /v1/messages/count_tokens
    bedrock,                // InvokeModel / InvokeModelWithResponseStream
    vertex,                 // rawPredict / streamRawPredict
};

const std::vector<std::string> &messages_fields(MessagesUpstream upstream);

// keep_listed_fields() with that upstream's list.
void keep_messages_fields(boost::json::object &body, MessagesUpstream upstream, const ForwardedFields &policy);

// The client's body text (validated by the host) parsed and kept to that
// upstream's list; throws HELIX_ERR_INVALID_REQUEST (400) if it is not a
// JSON object.
boost::json::object messages_body_for(std::string_view body, MessagesUpstream upstream, const ForwardedFields &policy);

} // namespace helix::plugin_common
