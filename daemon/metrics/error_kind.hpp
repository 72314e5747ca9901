#pragma once
// errors_total{kind} from what the request path knows about a failure:
//   a transport failure          connect_failed -> connect, timeout -> timeout,
//                                reset -> reset, cancelled -> client (the
//                                sink stopped: the client went away),
//                                bad_request -> internal;
//   a plugin failure             INVALID_REQUEST, NOT_SUPPORTED -> client;
//                                AUTH -> auth; PROTOCOL -> protocol;
//                                CONFIG, INTERNAL -> internal; RETRY and
//                                UPSTREAM by the HTTP status (below), RETRY
//                                without one -> upstream_5xx, UPSTREAM
//                                without one -> upstream_4xx;
//   an HTTP status               429 -> rate_limited, 401/403 -> auth,
//                                other 4xx -> upstream_4xx, 5xx (and
//                                Anthropic's 529) -> upstream_5xx.

#include "daemon/metrics/metrics.hpp"
#include "daemon/transport/exchange_types.hpp"

#include <helixagent/plugin_abi.h>

#include <optional>

namespace helix::metrics {

ErrorKind error_kind(transport::ExchangeError error) noexcept;
// http_status: the status the plugin reported (helix_error.http_status, or
// the ApiError made from it), 0 if none.
ErrorKind error_kind(helix_status status, int http_status) noexcept;
// nullopt for a status that is no error (1xx..3xx) or not a status at all.
std::optional<ErrorKind> error_kind_for_status(int http_status) noexcept;

} // namespace helix::metrics
