#pragma once
// What the outer request handler learns about one API request (its id, the
// client key's identity) and what the route handler adds to it: the facts
// the access log writes once the request is answered.

#include "daemon/audit/access_record.hpp"
#include "daemon/router/client_keys.hpp"

namespace helix::http {

struct RequestContext {
    audit::AccessRecord record;
    const router::ClientIdentity *client = nullptr; // set once the key is accepted; owned by the request's Runtime
};

} // namespace helix::http
