#pragma once
// GET /healthz: the process is alive and serving HTTP.
// GET /readyz: a configuration is loaded and the server is not draining. To a
// request carrying a client key the body also lists each provider's health,
// plugin and circuits so an operator sees why; without one it is the status
// alone (the details name plugin files, credential files and credential
// errors).

#include "daemon/router/runtime.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/server_state.hpp"

namespace helix::http {

Reply liveness_reply();
// `runtime` may be null (no configuration loaded yet).
Reply readiness_reply(const router::Runtime *runtime, const ServerState &state, bool details);

} // namespace helix::http
