#pragma once
// What every remote AWS credential source of the chain shares: the host's
// http_fetch with its failures named by the source, and the mapping of a
// source's HTTP status to an error. Messages name the source and the status,
// never a reply's body (it may hold partial credentials).

#include <helixagent/plugin.hpp>

#include <chrono>
#include <string_view>

namespace helix::aws_bedrock {

// Host::fetch; a connection failure or timeout becomes HELIX_ERR_RETRY (503)
// naming `source`.
helix::sdk::HttpResponse fetch_credentials(const helix::sdk::Host &host, const helix::sdk::HttpRequest &request,
                                           std::chrono::milliseconds timeout, std::string_view source);

// 429 and 5xx: HELIX_ERR_RETRY (503); anything else: HELIX_ERR_AUTH (502).
[[noreturn]] void source_failed(std::string_view source, int status, std::string_view detail = {});

// CR, LF, NUL or another control character: such a value cannot go into a header.
bool has_control_character(std::string_view s) noexcept;

// Without surrounding blanks and line breaks.
std::string_view trim_blanks(std::string_view s) noexcept;

} // namespace helix::aws_bedrock
