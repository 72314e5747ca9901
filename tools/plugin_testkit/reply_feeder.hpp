#pragma once
// Feeds one upstream reply to a plugin call as the host does: the status and
// headers first with no body bytes, then the body in pieces (each copied, so
// a plugin that keeps a pointer past the call is caught under ASan), then
// finish() unless decode() failed. The caller binds decode and finish to its
// own way of reaching the plugin (its C descriptor, or the daemon's wrapper).

#include "tools/plugin_testkit/chunking.hpp"

#include <helixagent/plugin_abi.h>

#include <functional>
#include <span>
#include <string_view>

namespace helix::plugin_testkit {

using DecodeStep = std::function<helix_status(const helix_http_response &, helix_error &)>;
using FinishStep = std::function<helix_status(helix_error &)>;

struct FedReply {
    helix_status status = HELIX_OK;
    bool failed_in_finish = false;
    helix_error error{};
};

FedReply feed_reply(int status, std::span<const helix_header> headers, std::string_view body, Chunking how,
                    unsigned seed, const DecodeStep &decode, const FinishStep &finish);

} // namespace helix::plugin_testkit
