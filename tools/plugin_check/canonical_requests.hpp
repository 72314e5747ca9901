#pragma once
// The standard set of chat requests every plugin is given: written as the
// OpenAI bodies clients send and parsed by the daemon's own parser, so the
// plugin sees exactly the canonical form helixagentd would hand it.

#include "daemon/api/chat_request.hpp"

#include <string>
#include <vector>

namespace helix::plugin_check {

struct CanonicalRequest {
    std::string name;
    std::string body; // OpenAI JSON with "model":"MODEL" to be replaced
};

const std::vector<CanonicalRequest> &canonical_requests();

// The request parsed for one model (its upstream id set as the router does).
// Throws std::logic_error if the body does not parse (a bug in this tool).
api::ChatRequest build_request(const CanonicalRequest &request, const std::string &model_id,
                               const std::string &upstream_id);

} // namespace helix::plugin_check
