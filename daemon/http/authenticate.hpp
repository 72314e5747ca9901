#pragma once
// The client key check of the API routes, for either server core: the
// refusal the client gets (401 in OpenAI's shape, the key never echoed; 429
// for an address that keeps failing, see auth_failures.hpp), or nothing,
// with the key's identity set on the request's context.

#include "daemon/api/error_body.hpp"
#include "daemon/config/config.hpp"
#include "daemon/http/auth_failures.hpp"
#include "daemon/http/request_context.hpp"
#include "daemon/router/client_keys.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace helix::http {

// `source` is AuthFailures::source_of() the client's address.
std::optional<api::ApiError> authenticate(const router::ClientKeys &keys, const config::ServerSettings &server,
                                          AuthFailures &failures, const std::string &source,
                                          std::string_view authorization_header, RequestContext &context);

// Does the request carry a valid client key? For the routes that answer
// without one but say more with one (/readyz, /metrics); a wrong key counts
// as a failed attempt like on the API routes.
bool carries_client_key(const router::ClientKeys &keys, const config::ServerSettings &server, AuthFailures &failures,
                        const std::string &source, std::string_view authorization_header);

} // namespace helix::http
