#pragma once
// GET /v1/models and GET /v1/models/{id}: every model of every loaded
// provider as "provider/model", in OpenAI's list and model shapes; for a key
// limited to some models or providers, only those.

#include "daemon/router/runtime.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/request_context.hpp"

namespace helix::http {

// model_id empty: the list; otherwise that one model. `client` (may be null:
// every model) is the key's identity.
Reply models_reply(const router::Runtime &runtime, const std::string &model_id, const router::ClientIdentity *client);

} // namespace helix::http
