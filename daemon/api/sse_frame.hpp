#pragma once
// Server-sent events framing (WHATWG "text/event-stream"): an event is an
// optional `event: <name>` line, one `data: ` line per line of the payload,
// and a blank line. OpenAI sends data-only events; Anthropic names each one.
// The one framer of the project: the daemon's stream writer, the simulators
// (tools/cloudsim) and the tests all frame events with it.

#include <string>
#include <string_view>

namespace helix::api {

// Appends one event to `out`. `event` empty -> no event line. A payload with
// line breaks (\n, \r\n or \r) becomes several data lines, as the format
// requires; JSON payloads from Boost.JSON never contain raw line breaks.
void append_sse_event(std::string &out, std::string_view event, std::string_view data);

std::string sse_event(std::string_view event, std::string_view data);

// `data: <data>\n\n`
inline std::string sse_data(std::string_view data) { return sse_event({}, data); }

// The event that ends an OpenAI stream.
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

} // namespace helix::cloudsim
